// Pool.Node: a worker node. Configuration layers: node.hocon (beside the executable, or --config),
// then POOL_HOST / POOL_PORT / POOL_PUBLIC_HOST / POOL_SEEDS / POOL_PROCESSES / POOL_ROLES, then the command line, which wins.
//   dotnet run --project src/Pool.Node -- --seed akka.tcp://pool@127.0.0.1:4053 --host 127.0.0.1 --port 0 --processes 2
// Ctrl+C / SIGTERM: CoordinatedShutdown drains the workers (no new work, unstarted work handed back, running work
// finished, children exit), the member leaves, and the process exits with code 0.
using PoolCluster.Cli;
using PoolCluster.Cluster;

var program = new MemberProgram(
    Name: MemberUpLine.Node,
    Description: "PoolCluster worker node: joins the cluster with role 'worker' (and any --role) and runs up to N child processes, shared by every client.",
    Role: "worker",
    ConfigFileName: "node.hocon",
    DefaultPort: 0,
    OffersProcesses: true,
    JoinsItselfWithoutSeeds: false);

return MemberCommandLine.Run(program, args, settings =>
    MemberHost.Run(program.Name, settings,
        start: system => PoolNode.StartWorkerHost(system, settings.Processes),
        // The readiness line scripts and tests wait for: one definition, MemberUpLine.
        upLine: address => MemberUpLine.Format(MemberUpLine.Node, address.ToString(), settings.Processes)));
