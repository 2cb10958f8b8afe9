// Pool.Seed: a lighthouse-like seed node. Configuration layers: seed.hocon (beside the executable, or --config),
// then POOL_HOST / POOL_PORT / POOL_PUBLIC_HOST / POOL_SEEDS, then the command line, which wins.
//   dotnet run --project src/Pool.Seed -- --host 127.0.0.1 --port 4053
// Prints, once it is Up:  Pool.Seed up at akka.tcp://pool@HOST:PORT
using PoolCluster.Cli;
using PoolCluster.Cluster;

var program = new MemberProgram(
    Name: MemberUpLine.Seed,
    Description: "PoolCluster seed node: the cluster's well-known entry point. Role 'seed'; hosts no workers.",
    Role: "seed",
    ConfigFileName: "seed.hocon",
    DefaultPort: 4053,
    OffersProcesses: false,
    JoinsItselfWithoutSeeds: true,
    OffersCertificateTool: true,
    DefaultHttpPort: 4080,
    ServesDashboard: true);

return MemberCommandLine.Run(program, args, settings =>
    // The seed hosts the cluster's shared-object manager (a singleton on the seed role, poolcluster.manager.role).
    MemberHost.Run(program.Name, settings, start: system => PoolCluster.PoolManager.StartClusterManager(system), upLine: address => MemberUpLine.Format(MemberUpLine.Seed, address.ToString())));
