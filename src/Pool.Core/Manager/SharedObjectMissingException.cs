namespace PoolCluster.Manager;

/// <summary>
/// The manager does not hold the named object (it was restarted, e.g. the singleton moved to another node). Proxies
/// react by re-creating the object from their creation arguments and retrying once; users never see this type.
/// </summary>
internal sealed class SharedObjectMissingException(string message) : Exception(message);
