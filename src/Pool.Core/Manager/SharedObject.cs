using PoolCluster.Manager;
using PoolCluster.WireFormat.Values;

namespace PoolCluster;

/// <summary>
/// A proxy of an object held by a <see cref="PoolManager"/>: plain data (where the manager is, the object's name and
/// kind), so it can be captured in a task's closure and used inside child processes and on other nodes. Every call is
/// one message to the manager and each single call is atomic; compound steps need a shared lock.
/// </summary>
public abstract class SharedObject
{
    /// <summary>The longest a wait is sent to the manager in one piece; an unbounded wait repeats such slices.</summary>
    internal static readonly TimeSpan WaitSlice = TimeSpan.FromSeconds(20);

    // Extra time on top of a blocking call's own timeout for the round trip.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    private protected SharedObject() { }

    /// <summary>The proxy's data; proxies travel as this (see <see cref="SharedObjectSurrogate"/>).</summary>
    internal ProxyState State { get; private set; } = null!;

    // The channel of the PoolManager that made this proxy; not part of its data: a proxy that travelled (into a child,
    // to another node) finds the channel of the process it is in.
    private IManagerChannel? _channel;

    /// <summary>Calls go through <paramref name="channel"/> (the making PoolManager's actor system).</summary>
    internal void BindTo(IManagerChannel channel) => _channel = channel;

    private IManagerChannel Channel => _channel ?? ManagerChannel.For(State.Manager);

    /// <summary>A proxy of <paramref name="type"/> over its data: how a PoolManager makes one, and how one is rebuilt on the
    /// receiving side of a transfer (no constructor runs either way).</summary>
    internal static SharedObject Restore(Type type, ProxyState state)
    {
        if (!typeof(SharedObject).IsAssignableFrom(type) || type.IsAbstract)
            throw new InvalidOperationException($"{type.FullName} is not a shared-object proxy type");
        var proxy = (SharedObject)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type);
        proxy.State = state;
        return proxy;
    }

    /// <summary>The object's name in its manager (generated for a private object).</summary>
    public string Name => State.Name;

    /// <summary>How long a non-blocking call waits for the manager before <see cref="ManagerUnavailableException"/>
    /// (default <c>poolcluster.manager.call-timeout</c>, 30 s). Blocking calls wait their own timeout plus a margin.</summary>
    public TimeSpan CallTimeout
    {
        get => State.CallTimeout;
        set => State.CallTimeout = value;
    }

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}('{Name}' at {State.Manager})";

    /// <summary>Get-or-create: called when the proxy is made, and again if the manager lost the object (a restart).</summary>
    internal void Create() => Send(SharedOp.Create, State.CreateArgs, null, null);

    /// <summary>One operation: returns the manager's value, or throws the error it sent back.</summary>
    internal object? Call(SharedOp operation, params object?[] args) => Call(operation, args, wait: null, holder: null);

    /// <summary>One operation that may wait in the manager up to <paramref name="wait"/>.</summary>
    internal object? Call(SharedOp operation, object?[] args, TimeSpan? wait, string? holder)
    {
        try
        {
            return Send(operation, args, wait, holder);
        }
        catch (SharedObjectMissingException)
        {
            // The manager restarted without this object (e.g. the singleton moved): re-create it and retry once.
            Create();
            return Send(operation, args, wait, holder);
        }
    }

    /// <summary>The holder id of the calling thread (lock ownership is per thread of a process).</summary>
    internal string CurrentHolder() => HolderIds.Current(Channel);

    private object? Send(SharedOp operation, object?[] args, TimeSpan? wait, string? holder)
    {
        var channel = Channel;
        var call = new ManagerCall(Name, State.Kind, operation, args, holder ?? HolderIds.Current(channel));
        var timeout = wait is { } w ? w + Margin : CallTimeout;
        var reply = Wire.FromBytes<ManagerReply>(channel.Call(State.Manager, Wire.ToBytes(call), timeout));
        if (reply.Error is { } error)
        {
            if (error.TypeName.StartsWith(typeof(SharedObjectMissingException).FullName + ",", StringComparison.Ordinal))
                throw new SharedObjectMissingException(error.Message);
            throw error.ToException();
        }
        return reply.Value;
    }

    /// <summary>
    /// One blocking operation on behalf of <paramref name="holder"/> (default: the calling thread), sent in slices
    /// (<see cref="WaitInSlices"/>) until <paramref name="done"/> accepts a reply. The slice's timeout follows
    /// <paramref name="leading"/> as the operation's last argument.
    /// </summary>
    private protected bool WaitFor(SharedOp operation, TimeSpan? timeout, Func<object?, bool> done, string? holder = null, params object?[] leading)
    {
        holder ??= CurrentHolder();
        return WaitInSlices(timeout, slice => done(Call(operation, [.. leading, Millis(slice)], slice, holder)));
    }

    /// <summary>A timeout as sent to the manager: milliseconds, at most one slice.</summary>
    internal static long Millis(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A timeout cannot be negative");
        return (long)Math.Ceiling(timeout.TotalMilliseconds);
    }

    /// <summary>
    /// Runs a wait operation until it succeeds or <paramref name="timeout"/> passes (null: indefinitely), in slices
    /// no longer than <see cref="WaitSlice"/> so that every message to the manager has a bounded answer time.
    /// <paramref name="attempt"/> gets the slice and returns true when done.
    /// </summary>
    internal static bool WaitInSlices(TimeSpan? timeout, Func<TimeSpan, bool> attempt)
    {
        if (timeout is { } t)
        {
            if (t < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), t, "A timeout cannot be negative");
            var deadline = DateTime.UtcNow + t;
            while (true)
            {
                var left = deadline - DateTime.UtcNow;
                if (left < TimeSpan.Zero) left = TimeSpan.Zero;
                if (attempt(left < WaitSlice ? left : WaitSlice)) return true;
                if (left <= WaitSlice) return false;
            }
        }
        while (!attempt(WaitSlice)) { }
        return true;
    }
}
