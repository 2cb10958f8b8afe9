using System.Net.Sockets;
using System.Security.Authentication;
using Akka.Actor;
using Akka.Remote;

namespace PoolCluster.Cluster;

/// <summary>
/// Waits for a member to be Up and, when it is not within the join timeout, says why in one sentence: the last
/// association failure towards the seeds (connection refused, TLS handshake refused, unknown host...) or, when there
/// was none, that no seed answered. Shared by Pool.Seed/Pool.Node (<c>poolcluster.join-timeout</c>) and
/// <see cref="WorkerPool.Connect"/>, so both report the same reason.
/// </summary>
internal static class JoinWatch
{
    /// <summary>Returns null once <paramref name="system"/>'s member is Up; the reason it is not, after <paramref name="timeout"/>.</summary>
    /// <param name="system">The member's actor system, joining its seeds.</param>
    /// <param name="timeout">The join timeout.</param>
    /// <param name="tls">This member uses mutual TLS: silence from the seed then most likely means it refused the certificate.</param>
    /// <param name="givenUp">Completes early when the caller stops waiting for another reason (a signal, a shutdown).</param>
    public static string? AwaitUp(ActorSystem system, TimeSpan timeout, bool tls, Task? givenUp = null)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        var failures = new LastFailure();
        var listener = system.ActorOf(Props.Create(() => new Listener(failures, tls)));
        try
        {
            var tasks = givenUp is null ? new[] { up.Task, system.WhenTerminated } : [up.Task, system.WhenTerminated, givenUp];
            Task.WaitAny(tasks, timeout);
            if (up.Task.IsCompleted || givenUp?.IsCompleted == true) return null;
            return failures.Describe(tls);
        }
        finally { system.Stop(listener); }
    }

    /// <summary>The reason an association failed, for people: what is wrong and what to check.</summary>
    public static string Describe(Exception cause, Address remote, bool tls = false)
    {
        var endpoint = $"{remote.Host}:{remote.Port}";
        for (Exception? e = cause; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // DotNetty reports a refused connect as its own exception type, with the socket error's text.
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                case { Message: var text } when text.StartsWith("Connection refused", StringComparison.OrdinalIgnoreCase):
                    return $"connection refused by {endpoint}: is a seed (Pool.Seed) running there, on that port?";
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return $"host '{remote.Host}' not found: check the seed address";
                case SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable } s:
                    return $"{endpoint} unreachable ({s.Message}): check the seed address and the firewall";
                case AuthenticationException a:
                    return $"the TLS handshake with {endpoint} failed ({a.Message}): the seed refused this member's certificate, " +
                           "or this member does not trust the seed's; both must be signed by the same cluster authority (--tls-ca)";
            }
        }
        var innermost = cause;
        while (innermost.InnerException is not null) innermost = innermost.InnerException;
        // Over TLS 1.3 a seed that refuses the certificate may just close the channel after the handshake: say so.
        return tls
            ? $"association with {endpoint} failed over TLS ({innermost.Message}): most likely the seed refused this member's certificate " +
              "(it must be signed by the cluster authority the seed trusts, its --tls-ca); otherwise check the seed address"
            : $"association with {endpoint} failed: {innermost.Message}";
    }

    private sealed class LastFailure
    {
        private string? _reason;

        public void Record(string reason) => Volatile.Write(ref _reason, reason);

        // With TLS 1.3 a server refuses a client certificate after the client's side of the handshake completed, and
        // Akka then reports nothing to the client: the seed's silence is all there is to go on.
        public string Describe(bool tls) => Volatile.Read(ref _reason) ?? (tls
            ? "no answer from the seed over TLS: most likely it refused this member's certificate (it must be signed by the " +
              "cluster authority the seed trusts, its --tls-ca); otherwise check the seed address"
            : "no seed answered: check the seed address (akka.tcp://pool@HOST:PORT) and that it is a PoolCluster seed; " +
              "a seed with TLS needs --tls-cert and --tls-ca here too");
    }

    /// <summary>Records association failures published on the event stream (published whether or not Akka logs them).</summary>
    private sealed class Listener : ReceiveActor
    {
        public Listener(LastFailure failures, bool tls)
        {
            Receive<AssociationErrorEvent>(e => failures.Record(Describe(e.Cause, e.RemoteAddress, tls)));
        }

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(AssociationErrorEvent));

        protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
    }
}
