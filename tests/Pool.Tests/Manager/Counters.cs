namespace PoolCluster.Tests.Manager;

/// <summary>A user interface hosted in the manager with PoolManager.Register.</summary>
public interface ICounter
{
    int Add(int amount);
    int Total { get; }
    string Describe(string prefix, long suffix);
    void Fail(string message);
}

/// <summary>A user exception type that must come back from the manager with its type.</summary>
public sealed class CounterException(string message) : Exception(message);

/// <summary>The hosted implementation; lives in the manager's process.</summary>
public sealed class Counter(int start) : ICounter
{
    private int _total = start;

    public int Add(int amount) => _total += amount;

    public int Total => _total;

    public string Describe(string prefix, long suffix) => $"{prefix}:{_total}:{suffix}";

    public void Fail(string message) => throw new CounterException(message);
}
