using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace PoolCluster.Cluster;

/// <summary>
/// The readiness line Pool.Seed and Pool.Node print once when they are Up (<c>Pool.Node up at ADDRESS offering N
/// processes</c>, <c>Pool.Seed up at ADDRESS</c>). Scripts, tests, the bench and the demo wait for it: this type is
/// its one definition, so the programs that print it and the code that parses it cannot drift apart.
/// </summary>
/// <param name="Program">The member program: <see cref="Seed"/> or <see cref="Node"/>.</param>
/// <param name="Address">The member's address, e.g. <c>akka.tcp://pool@127.0.0.1:4053</c>.</param>
/// <param name="Processes">The child processes a node offers; null for a seed.</param>
public sealed partial record MemberUpLine(string Program, string Address, int? Processes)
{
    /// <summary>The seed program's name, as its up line starts.</summary>
    public const string Seed = "Pool.Seed";

    /// <summary>The worker node program's name, as its up line starts.</summary>
    public const string Node = "Pool.Node";

    /// <summary>The line as printed.</summary>
    public static string Format(string program, string address, int? processes = null) =>
        processes is { } n ? $"{program} up at {address} offering {n} processes" : $"{program} up at {address}";

    /// <summary>Reads an up line; false for any other line.</summary>
    public static bool TryParse(string? line, [NotNullWhen(true)] out MemberUpLine? up)
    {
        up = null;
        if (line is null || UpLinePattern().Match(line) is not { Success: true } m) return false;
        up = new MemberUpLine(m.Groups[1].Value, m.Groups[2].Value,
            m.Groups[3].Success ? int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : null);
        return true;
    }

    /// <summary>The first up line of <paramref name="program"/> in <paramref name="lines"/>, or null.</summary>
    public static MemberUpLine? Find(IEnumerable<string> lines, string program) =>
        lines.Select(l => TryParse(l, out var up) ? up : null).FirstOrDefault(u => u?.Program == program);

    /// <inheritdoc />
    public override string ToString() => Format(Program, Address, Processes);

    [GeneratedRegex(@"^(Pool\.Seed|Pool\.Node) up at (akka(?:\.ssl)?\.tcp://\S+@\S+:\d+)(?: offering (\d+) processes)?$")]
    private static partial Regex UpLinePattern();
}
