using Akka.Actor;

namespace PoolCluster.Manager.State;

/// <summary>A blocked operation: who waits, whom to answer, and what it carries (e.g. the item of a blocked put).</summary>
internal sealed record Waiter(long Id, string Holder, IActorRef ReplyTo, object? Data);
