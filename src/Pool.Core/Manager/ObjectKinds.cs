namespace PoolCluster.Manager;

/// <summary>The kinds of shared object a manager holds; a name keeps the kind it was created with.</summary>
internal static class ObjectKinds
{
    public const string Dict = "dict";
    public const string List = "list";
    public const string Queue = "queue";
    public const string Value = "value";
    public const string Lock = "lock";
    public const string RLock = "rlock";
    public const string Semaphore = "semaphore";
    public const string Event = "event";
    public const string Barrier = "barrier";
    public const string Namespace = "namespace";
    public const string Hosted = "registered object";
}
