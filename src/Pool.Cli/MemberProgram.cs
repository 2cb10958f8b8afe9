namespace PoolCluster.Cli;

/// <summary>What distinguishes one member program (Pool.Seed, Pool.Node) from the other; everything else is shared.</summary>
/// <param name="Name">Program name used in messages, such as <c>Pool.Seed</c>.</param>
/// <param name="Description">One-line description shown by <c>--help</c>.</param>
/// <param name="Role">Cluster role this program always has (<c>seed</c> or <c>worker</c>).</param>
/// <param name="ConfigFileName">HOCON file loaded from beside the executable unless <c>--config</c> names another.</param>
/// <param name="DefaultPort">Port used when neither the HOCON file, the environment nor the arguments set one.</param>
/// <param name="OffersProcesses">True for a worker node: it has <c>--processes</c> / <c>POOL_PROCESSES</c>.</param>
/// <param name="JoinsItselfWithoutSeeds">True for a seed: with no seeds it forms a new cluster; otherwise seeds are required.</param>
/// <param name="DefaultHttpPort">HTTP port (metrics, health, dashboard) unless configured; 0: no HTTP unless asked.</param>
/// <param name="ServesDashboard">True for a seed: its HTTP host serves the dashboard at <c>/</c>.</param>
internal sealed record MemberProgram(
    string Name,
    string Description,
    string Role,
    string ConfigFileName,
    int DefaultPort,
    bool OffersProcesses,
    bool JoinsItselfWithoutSeeds,
    bool OffersCertificateTool = false,
    int DefaultHttpPort = 0,
    bool ServesDashboard = false);
