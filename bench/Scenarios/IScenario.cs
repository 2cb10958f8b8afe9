namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// One scenario group, selected by its key as the anchor selects its groups (<c>--only a,b,kill</c>).
/// A group records one or more rows through its <see cref="ScenarioContext"/>.
/// </summary>
public interface IScenario
{
    /// <summary>The <c>--only</c> key: the anchor's letter (<c>a</c>..<c>j</c>, <c>kill</c>) or one of ours
    /// (<c>mem</c>, <c>cluster</c>).</summary>
    string Key { get; }

    /// <summary>True when the Python anchor has the same group (it is then run with the same key).</summary>
    bool InAnchor { get; }

    /// <summary>Runs the group. Blocking calls use <see cref="ScenarioContext.CallTimeout"/>; the runner also bounds
    /// the whole group and records a timeout for the row in progress.</summary>
    void Run(ScenarioContext context);
}
