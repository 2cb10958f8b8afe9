namespace PoolCluster.Tests.Serialization;

// Exception types users write, one per way a property is declared. Public and in this assembly, so child processes
// (which load the test assembly) can throw them and the caller can rebuild them.

public enum PaymentFailure { None, Declined, Expired }

/// <summary>Settable properties, an enum among them.</summary>
public sealed class PaymentException(string message) : Exception(message)
{
    public int Code { get; set; }
    public string? Details { get; set; }
    public PaymentFailure Reason { get; set; }
    public string[]? Tags { get; set; }

    public static int Throw(int code) => throw new PaymentException("payment refused")
    {
        Code = code, Details = "card expired", Reason = PaymentFailure.Expired, Tags = ["card", "eu"],
        Data = { ["order"] = 42, ["customer"] = "c-1" },
    };
}

/// <summary>Get-only properties: auto (backing field), init, one backed by an explicit field, and a computed one.</summary>
public sealed class QuotaExceededException : Exception
{
    private readonly TimeSpan _retryAfter;

    public QuotaExceededException(string message, int limit, string tenant) : base(message)
    {
        Limit = limit;
        Tenant = tenant;
        _retryAfter = TimeSpan.FromSeconds(limit);
    }

    public int Limit { get; }
    public string Tenant { get; init; }
    public TimeSpan RetryAfter => _retryAfter;
    public string Summary => $"{Tenant}:{Limit}";
}

/// <summary>KeyNotFoundException-like: the constructor builds the message from its argument.</summary>
public sealed class UserNotFoundException(string key) : Exception($"Key '{key}' was not found")
{
    public string Key { get; } = key;

    public static int Throw(int id) => throw new UserNotFoundException($"user{id}");
}

/// <summary>Properties that cannot travel or cannot be read, beside one that can.</summary>
public sealed class AwkwardPropertiesException(string message) : Exception(message)
{
    public Stream? Log { get; set; } = new MemoryStream();
    public Action? Callback { get; set; } = () => { };
    public string Broken => throw new InvalidOperationException("this getter fails");
    public int Kept { get; set; }
}
