using Akka.Actor;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Manager.State;

/// <summary>One operation being executed by the manager: the call, who to answer, and how to park a waiter.</summary>
internal sealed class ManagerOp(ManagerCall call, IActorRef replyTo, IWaiterHost host)
{
    public string Name => call.ObjectName;
    public SharedOp Operation => call.Operation;
    public string Holder => call.Holder;
    public object?[] Args => call.Args;
    public IActorRef ReplyTo => replyTo;
    public IWaiterHost Host => host;

    /// <summary>Argument <paramref name="index"/> as <typeparamref name="T"/>, with a clear error for a malformed call.</summary>
    public T Arg<T>(int index) => index < call.Args.Length && call.Args[index] is T value
        ? value
        : throw new ArgumentException($"Operation '{Operation.Describe()}' on '{Name}' expects argument {index} of type {typeof(T).Name}");

    /// <summary>Argument <paramref name="index"/> as it came (null allowed).</summary>
    public object? Raw(int index) => index < call.Args.Length ? call.Args[index] : null;

    /// <summary>A wait timeout in milliseconds (the proxy always sends a finite one).</summary>
    public TimeSpan Timeout(int index) => TimeSpan.FromMilliseconds(Math.Max(0, Arg<long>(index)));

    private List<ManagerResult>? _held;

    /// <summary>From now on this operation's answer is kept (<see cref="TakeHeld"/>) instead of sent: the manager sends
    /// it once the change is replicated.</summary>
    public void Hold() => _held = [];

    /// <summary>The answers kept since <see cref="Hold"/>.</summary>
    public List<ManagerResult> TakeHeld() => _held ?? [];

    public void Reply(object? value)
    {
        if (_held is not null) _held.Add(Result(value));
        else Send(replyTo, value);
    }

    public void Fail(Exception error)
    {
        if (_held is not null) _held.Add(ErrorResult(error));
        else SendError(replyTo, error);
    }

    /// <summary>Answers with a value; a value that cannot be serialized becomes the error instead.</summary>
    public static void Send(IActorRef to, object? value) => to.Tell(Result(value));

    public static void SendError(IActorRef to, Exception error) => to.Tell(ErrorResult(error));

    private static ManagerResult Result(object? value)
    {
        byte[] bytes;
        try { bytes = Wire.ToBytes(new ManagerReply(value, null)); }
        catch (Exception e) { bytes = Wire.ToBytes(new ManagerReply(null, ErrorInfo.From(e))); }
        return new ManagerResult(bytes);
    }

    private static ManagerResult ErrorResult(Exception error) => new(Wire.ToBytes(new ManagerReply(null, ErrorInfo.From(error))));
}
