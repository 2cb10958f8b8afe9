using System.CommandLine;

namespace PoolCluster.Cli;

/// <summary>
/// The command line shared by Pool.Seed and Pool.Node (System.CommandLine): parses the options, resolves
/// <see cref="MemberSettings"/> and hands them to the program. Bad input ends the program with exit code 2 and a
/// one-line error on stderr.
/// </summary>
internal static class MemberCommandLine
{
    /// <summary>Exit code for bad input (options, environment, HOCON file).</summary>
    public const int UsageError = 2;

    /// <summary>Parses <paramref name="args"/> for <paramref name="program"/> and runs <paramref name="run"/>; returns the exit code.</summary>
    public static int Run(MemberProgram program, string[] args, Func<MemberSettings, int> run)
    {
        var host = new Option<string?>("--host")
        {
            Description = $"Host name or IP other members use to reach this one [env {MemberSettings.HostVariable}; default 127.0.0.1]",
            HelpName = "HOST",
        };
        var port = new Option<string?>("--port")
        {
            Description = $"TCP port, 0 picks a free one [env {MemberSettings.PortVariable}; default {program.DefaultPort}]",
            HelpName = "PORT",
        };
        var publicHost = new Option<string?>("--public-host")
        {
            Description = $"Host name other members dial when it differs from --host (NAT, containers, --host 0.0.0.0) [env {MemberSettings.PublicHostVariable}]",
            HelpName = "HOST",
        };
        var seeds = new Option<string[]>("--seed")
        {
            Description = $"Seed node address akka.tcp://{MemberSettings.SystemName}@HOST:4053; repeatable [env {MemberSettings.SeedsVariable}, comma-separated]" +
                          (program.JoinsItselfWithoutSeeds ? "; none: this seed forms a new cluster" : ""),
            HelpName = "ADDRESS",
        };
        var config = new Option<string?>("--config")
        {
            Description = $"HOCON file to load instead of {program.ConfigFileName} beside the executable",
            HelpName = "PATH",
        };
        var processes = new Option<string?>("--processes")
        {
            Description = $"Child processes this node offers [env {MemberSettings.ProcessesVariable}; default: number of CPUs ({Environment.ProcessorCount})]",
            HelpName = "N",
        };

        var roles = new Option<string[]>("--role")
        {
            Description = $"Extra cluster role of this node, for pools that ask for it (PoolOptions.WorkerRole); repeatable. Every node has 'worker' " +
                          $"[env {MemberSettings.RolesVariable}, comma-separated; HOCON akka.cluster.roles]",
            HelpName = "ROLE",
        };

        var tlsCert = new Option<string?>("--tls-cert")
        {
            Description = $"This member's certificate (.pfx) for mutual TLS [env {MemberSettings.TlsCertificateVariable}]",
            HelpName = "PATH",
        };
        var tlsPassword = new Option<string?>("--tls-password")
        {
            Description = $"Password of the .pfx file [env {MemberSettings.TlsPasswordVariable}]",
            HelpName = "PASSWORD",
        };
        var tlsAuthority = new Option<string?>("--tls-ca")
        {
            Description = $"The cluster authority's certificate (ca.crt); peers must chain to it [env {MemberSettings.TlsAuthorityVariable}]",
            HelpName = "PATH",
        };

        var httpHost = new Option<string?>("--http-host")
        {
            Description = $"IP address the HTTP endpoints (/metrics, /health/*{(program.ServesDashboard ? ", the dashboard" : "")}) listen on [env {MemberSettings.HttpHostVariable}; default 127.0.0.1]",
            HelpName = "IP",
        };
        var httpPort = new Option<string?>("--http-port")
        {
            Description = $"HTTP port, 0 turns HTTP off [env {MemberSettings.HttpPortVariable}; default {(program.DefaultHttpPort == 0 ? "0 (off)" : program.DefaultHttpPort)}]",
            HelpName = "PORT",
        };
        var httpToken = new Option<string?>("--http-token")
        {
            Description = $"Token the dashboard's actions must carry; without one they work only on a loopback --http-host [env {MemberSettings.HttpTokenVariable}]",
            HelpName = "TOKEN",
        };

        var joinTimeout = new Option<string?>("--join-timeout")
        {
            Description = $"Give up (exit code 1, one line saying why) when not a member after this long, e.g. 30s, 2m [env {MemberSettings.JoinTimeoutVariable}; poolcluster.join-timeout; default 60s]",
            HelpName = "DURATION",
        };

        // --port and --processes are read as text and checked with the environment's values, for one set of messages.
        var root = new RootCommand(program.Description) { host, port, publicHost, seeds, config, tlsCert, tlsPassword, tlsAuthority, httpHost, httpPort, httpToken, joinTimeout };
        if (program.OffersCertificateTool) root.Subcommands.Add(CertificateCommand.Create(program.Name));
        if (program.OffersProcesses)
        {
            root.Options.Add(processes);
            root.Options.Add(roles);
        }
        root.SetAction(parse =>
        {
            MemberSettings settings;
            try
            {
                settings = MemberSettings.Resolve(program, new MemberArguments(
                    parse.GetValue(host), parse.GetValue(port), parse.GetValue(publicHost), parse.GetValue(seeds),
                    program.OffersProcesses ? parse.GetValue(processes) : null, parse.GetValue(config),
                    parse.GetValue(tlsCert), parse.GetValue(tlsPassword), parse.GetValue(tlsAuthority),
                    program.OffersProcesses ? parse.GetValue(roles) : null,
                    parse.GetValue(httpHost), parse.GetValue(httpPort), parse.GetValue(httpToken),
                    parse.GetValue(joinTimeout)));
            }
            catch (MemberSettingsException e)
            {
                Console.Error.WriteLine($"{program.Name}: error: {e.Message}");
                return UsageError;
            }
            return run(settings);
        });
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors) Console.Error.WriteLine($"{program.Name}: error: {error.Message}");
            Console.Error.WriteLine($"Run '{program.Name} --help' for the options.");
            return UsageError;
        }
        return result.Invoke();
    }
}
