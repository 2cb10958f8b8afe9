using Akka.Actor;
using PoolCluster.Serialization;
using PoolCluster.Tasks;

namespace PoolCluster.Manager.State;

/// <summary>One operation being executed by the manager: the call, who to answer, and how to park a waiter.</summary>
internal sealed class ManagerOp(ManagerCall call, IActorRef replyTo, IWaiterHost host)
{
    public string Name => call.ObjectName;
    public string Operation => call.Operation;
    public string Holder => call.Holder;
    public object?[] Args => call.Args;
    public IActorRef ReplyTo => replyTo;
    public IWaiterHost Host => host;

    /// <summary>Argument <paramref name="index"/> as <typeparamref name="T"/>, with a clear error for a malformed call.</summary>
    public T Arg<T>(int index) => index < call.Args.Length && call.Args[index] is T value
        ? value
        : throw new ArgumentException($"Operation '{Operation}' on '{Name}' expects argument {index} of type {typeof(T).Name}");

    /// <summary>Argument <paramref name="index"/> as it came (null allowed).</summary>
    public object? Raw(int index) => index < call.Args.Length ? call.Args[index] : null;

    /// <summary>A wait timeout in milliseconds (the proxy always sends a finite one).</summary>
    public TimeSpan Timeout(int index) => TimeSpan.FromMilliseconds(Math.Max(0, Arg<long>(index)));

    public void Reply(object? value) => Send(replyTo, value);

    public void Fail(Exception error) => SendError(replyTo, error);

    /// <summary>Answers with a value; a value that cannot be serialized becomes the error instead.</summary>
    public static void Send(IActorRef to, object? value)
    {
        byte[] bytes;
        try { bytes = Wire.ToBytes(new ManagerReply(value, null)); }
        catch (Exception e) { bytes = Wire.ToBytes(new ManagerReply(null, ErrorInfo.From(e))); }
        to.Tell(new ManagerResult(bytes));
    }

    public static void SendError(IActorRef to, Exception error) =>
        to.Tell(new ManagerResult(Wire.ToBytes(new ManagerReply(null, ErrorInfo.From(error)))));
}
