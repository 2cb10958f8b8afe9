// Bare Akka.Remote on loopback: `dotnet run -c Release --project bench/RemoteProbe -- pong PORT` in one terminal, then
// `dotnet run -c Release --project bench/RemoteProbe -- ping PORT` in another. Prints the median of 2,000 sequential asks
// (the floor of a cluster Apply, which crosses Akka.Remote once each way) and the rate of pipelined round trips with
// 1,000 in flight (one small message each way, as a chunk and its result travel).
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;

var role = args[0]; var port = int.Parse(args[1]);
var config = ConfigurationFactory.ParseString($@"
akka.actor.provider = remote
akka.remote.dot-netty.tcp.hostname = 127.0.0.1
akka.remote.dot-netty.tcp.port = {(role == "pong" ? port : 0)}
akka.loglevel = WARNING");
var system = ActorSystem.Create("ping", config);
if (role == "pong")
{
    system.ActorOf(Props.Create(() => new Echo()), "echo");
    Console.WriteLine("ready");
    Console.ReadLine();
    return;
}
var echo = await system.ActorSelection($"akka.tcp://ping@127.0.0.1:{port}/user/echo").ResolveOne(TimeSpan.FromSeconds(10));
var payload = new byte[64];
for (var i = 0; i < 500; i++) await echo.Ask<byte[]>(payload, TimeSpan.FromSeconds(5));
var samples = new List<double>();
for (var i = 0; i < 2000; i++)
{
    var t = Stopwatch.GetTimestamp();
    await echo.Ask<byte[]>(payload, TimeSpan.FromSeconds(5));
    samples.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
}
samples.Sort();
Console.WriteLine($"akka.remote round trip over loopback, 64-byte message, 2000 sequential asks: median {samples[1000]:0.000} ms, p90 {samples[1800]:0.000} ms");
// Pipelined: 100,000 messages each way, at most 1,000 in flight (as chunks and results are, one per message).
var done = new TaskCompletionSource();
var counter = system.ActorOf(Props.Create(() => new Counter(echo, payload, 100_000, 1_000, done)));
var sw = Stopwatch.StartNew();
counter.Tell("go");
await done.Task.WaitAsync(TimeSpan.FromSeconds(120));
Console.WriteLine($"pipelined: {100_000 / sw.Elapsed.TotalSeconds:N0} round trips/s (one message each way, 1,000 in flight)");
await system.Terminate();

sealed class Echo : ReceiveActor { public Echo() => ReceiveAny(m => Sender.Tell(m)); }

sealed class Counter : ReceiveActor
{
    public Counter(IActorRef echo, byte[] payload, int total, int window, TaskCompletionSource done)
    {
        int sent = 0, back = 0;
        Receive<string>(_ => { for (; sent < window; sent++) echo.Tell(payload); });
        Receive<byte[]>(_ =>
        {
            back++;
            if (sent < total) { echo.Tell(payload); sent++; }
            if (back == total) done.TrySetResult();
        });
    }
}
