using System.CommandLine;
using PoolCluster.Security;

namespace PoolCluster.Cli;

/// <summary>
/// <c>Pool.Seed certs</c>: creates the cluster's certificate authority and one certificate per member, so that TLS is
/// on with two commands (this one, then starting members with <c>--tls-cert/--tls-ca</c>).
/// </summary>
internal static class CertificateCommand
{
    public static Command Create(string programName)
    {
        var output = new Option<string>("--out") { Description = "Folder to write ca.pfx, ca.crt and <member>.pfx into", DefaultValueFactory = _ => "certs", HelpName = "DIR" };
        var password = new Option<string?>("--password")
        {
            Description = $"Password protecting the .pfx files [env {MemberSettings.TlsPasswordVariable}]",
            HelpName = "PASSWORD",
        };
        var members = new Option<string[]>("--member")
        {
            Description = "A member to issue a certificate for; repeatable (default: seed, node, client)",
            HelpName = "NAME",
        };
        var hosts = new Option<string[]>("--host")
        {
            Description = "Host name or IP the members are reached at, for the certificates' alternative names; repeatable (default: localhost, 127.0.0.1)",
            HelpName = "HOST",
        };
        var command = new Command("certs", "Create a cluster certificate authority and member certificates for mutual TLS") { output, password, members, hosts };
        command.SetAction(parse =>
        {
            var secret = parse.GetValue(password) ?? Environment.GetEnvironmentVariable(MemberSettings.TlsPasswordVariable);
            if (string.IsNullOrEmpty(secret))
            {
                Console.Error.WriteLine($"{programName}: error: give a password for the .pfx files: --password or {MemberSettings.TlsPasswordVariable}");
                return MemberCommandLine.UsageError;
            }
            var names = parse.GetValue(members) is { Length: > 0 } m ? m : ["seed", "node", "client"];
            var hostNames = parse.GetValue(hosts) is { Length: > 0 } h ? h : null;
            var files = ClusterCertificates.WriteCluster(parse.GetValue(output)!, secret, names, hostNames);
            foreach (var f in files) Console.WriteLine($"wrote {f}");
            Console.WriteLine($"Keep {ClusterCertificates.AuthorityKeyFile} off the cluster's machines; give each member its .pfx and {ClusterCertificates.AuthorityCertificateFile}.");
            return 0;
        });
        return command;
    }
}
