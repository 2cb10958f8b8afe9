namespace PoolCluster.Bench;

/// <summary>The command line, parsed.</summary>
/// <param name="Quick">The anchor's <c>--quick</c> sizes.</param>
/// <param name="JsonPath">Where to save meta and both sides' rows, if anywhere.</param>
/// <param name="Only">Scenario keys to run; null runs all.</param>
/// <param name="NoPython">Skip the Python anchor.</param>
/// <param name="AnchorPath">An explicit path to <c>python_pool_bench.py</c>.</param>
/// <param name="Python">The Python interpreter.</param>
/// <param name="ChartPath">Where to write the SVG chart, if anywhere.</param>
/// <param name="ScenarioTimeout">Time limit of one scenario group (and of each blocking pool call in it).</param>
public sealed record BenchOptions(
    bool Quick, string? JsonPath, IReadOnlySet<string>? Only, bool NoPython, string? AnchorPath, string Python,
    string? ChartPath, TimeSpan ScenarioTimeout);
