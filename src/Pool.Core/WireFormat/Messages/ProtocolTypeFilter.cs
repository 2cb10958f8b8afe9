using System.Text.RegularExpressions;
using Hyperion;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Messages;

/// <summary>
/// The allow-list of <see cref="ProtocolSerializer"/>: a type name (with every type named in its generic arguments)
/// must belong to the pool's protocol, the base library's primitives and collections, or Akka's reference surrogates.
/// </summary>
internal sealed partial class ProtocolTypeFilter : ITypeFilter
{
    public static readonly ProtocolTypeFilter Instance = new();

    private static readonly string[] AllowedPrefixes =
    [
        "PoolCluster.WireFormat.Messages.", "PoolCluster.Cluster.AssemblyManifest", "PoolCluster.Cluster.AssemblyEntry",
        "PoolCluster.Worker.WorkerSettings", "PoolCluster.WireFormat.Values.ErrorInfo", "PoolCluster.Manager.Manager",
        "PoolCluster.Manager.HolderGone", "PoolCluster.Router.CancelJob",
        "System.String", "System.Byte", "System.Int", "System.UInt", "System.Boolean", "System.Char", "System.Double",
        "System.Single", "System.Decimal", "System.Guid", "System.TimeSpan", "System.DateTime", "System.Nullable`1",
        "System.Object", "System.Collections.Generic.List`1", "System.Collections.Generic.Dictionary`2",
        "System.Collections.Immutable.", "System.Array", "System.ValueTuple",
        "Akka.Actor.", "Akka.Remote.", "Akka.Cluster.", "Akka.Util.",
    ];

    public bool IsAllowed(string typeName)
    {
        foreach (Match m in TypeNames().Matches(typeName))
        {
            var name = m.Groups["name"].Value;
            if (!AllowedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))) return false;
        }
        return true;
    }

    // Type names at the start or right after '[' (generic arguments), up to the assembly separator or a bracket.
    [GeneratedRegex(@"(?:^|\[)(?<name>[A-Za-z_][\w.+`]*)")]
    private static partial Regex TypeNames();
}
