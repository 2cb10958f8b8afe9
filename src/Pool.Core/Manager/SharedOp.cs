namespace PoolCluster.Manager;

/// <summary>
/// The operations a proxy sends its manager, one member per name, so a misspelt operation does not compile. Which kind
/// has which operation is the state classes' switch (<c>Manager/State</c>); an operation a kind lacks is refused there.
/// Travels by its number inside <see cref="ManagerCall"/>: parent, children and nodes run the same version.
/// </summary>
internal enum SharedOp
{
    /// <summary>Get-or-create: sent first by every proxy, and again after a manager restart.</summary>
    Create,
    Get,
    Set,
    TryGet,
    SetDefault,
    Add,
    Insert,
    Remove,
    RemoveAt,
    RemovePair,
    Contains,
    ContainsKey,
    ContainsPair,
    IndexOf,
    Count,
    Items,
    Names,
    Clear,
    Exchange,
    CompareExchange,
    Put,
    MaxSize,
    Acquire,
    Release,
    Locked,
    Owned,
    Value,
    IsSet,
    Wait,
    Waiting,
    Parties,
    /// <summary>A method call on a registered (hosted) object.</summary>
    Invoke,
}

internal static class SharedOpNames
{
    /// <summary>The operation as error messages name it ("compareexchange"), as before it was a type.</summary>
    public static string Describe(this SharedOp op) => op.ToString().ToLowerInvariant();
}
