namespace PoolCluster;

/// <summary>
/// How far a Map or Imap job has come, in items (not chunks): reported through an <see cref="IProgress{T}"/> at most
/// about every 100 ms while it changes, and once more at the end with <c>Completed + Failed == Total</c>.
/// </summary>
/// <param name="Completed">Items that returned a result.</param>
/// <param name="Failed">Items that threw (or whose chunk failed as a whole).</param>
/// <param name="Total">Items in the job; null while a lazy input (Imap) is not yet read to its end.</param>
/// <param name="Elapsed">Time since the job was submitted.</param>
public sealed record JobProgress(int Completed, int Failed, int? Total, TimeSpan Elapsed);
