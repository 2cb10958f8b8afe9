using System.Security.Cryptography.X509Certificates;
using PoolCluster.Security;
using PoolCluster.Tests.Cluster;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Security;

/// <summary>A cluster only its members can join: mutual TLS against the cluster's own authority, over real loopback TCP.</summary>
public sealed class TlsClusterTests : IDisposable
{
    private const string Password = "test-secret";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"poolcluster-tls-{Guid.NewGuid():N}");
    private readonly string _strangerDir;

    public TlsClusterTests()
    {
        ClusterCertificates.WriteCluster(_dir, Password, ["seed", "node", "client"]);
        _strangerDir = _dir + "-stranger";
        ClusterCertificates.WriteCluster(_strangerDir, Password, ["client"]); // another authority entirely
    }

    private TlsOptions Member(string name, string? dir = null) =>
        new(Path.Combine(dir ?? _dir, name + ".pfx"), Password, Path.Combine(_dir, ClusterCertificates.AuthorityCertificateFile));

    public void Dispose()
    {
        Directory.Delete(_dir, true);
        Directory.Delete(_strangerDir, true);
    }

    [Fact]
    public void Members_with_certificates_from_the_cluster_authority_join_and_work()
    {
        using var cluster = new InProcessCluster(Member("seed"));
        cluster.StartNode(1, Member("node"));
        using var pool = cluster.Connect(new PoolOptions { Tls = Member("client") });
        InProcessCluster.WaitFor(() => pool.Processes == 1, TimeSpan.FromSeconds(60), "the TLS node's worker");
        Assert.Equal(new[] { 1, 4, 9 }, pool.Map(TestFunctions.Square, new[] { 1, 2, 3 }));
    }

    [Fact]
    public void A_client_with_a_certificate_from_another_authority_cannot_join()
    {
        using var cluster = new InProcessCluster(Member("seed"));
        var e = Assert.Throws<TimeoutException>(() => cluster.Connect(new PoolOptions
        {
            // It trusts our authority (so it would accept the seed); the seed must refuse its foreign certificate.
            Tls = Member("client", _strangerDir),
            ConnectTimeout = TimeSpan.FromSeconds(6),
        }));
        Assert.Contains("Could not join", e.Message);
    }

    [Fact]
    public void A_client_without_TLS_cannot_join_a_TLS_cluster()
    {
        using var cluster = new InProcessCluster(Member("seed"));
        Assert.Throws<ArgumentException>(() => WorkerPool.Connect(cluster.SeedAddress, new PoolOptions()));
        // What a user without TLS would type: the plain scheme. The handshake is refused; the client never joins.
        Assert.Throws<TimeoutException>(() => WorkerPool.Connect(cluster.SeedAddress.Replace("akka.ssl.tcp://", "akka.tcp://"), new PoolOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(6),
            Config = InProcessCluster.FastConfig,
        }));
    }

    [Fact]
    public void The_validator_accepts_only_certificates_chaining_to_the_authority()
    {
        var authority = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_dir, ClusterCertificates.AuthorityCertificateFile));
        var ours = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(_dir, "node.pfx"), Password);
        var theirs = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(_strangerDir, "client.pfx"), Password);
        Assert.True(ClusterTls.IsIssuedBy(ours, authority));
        Assert.False(ClusterTls.IsIssuedBy(theirs, authority));
        Assert.False(ClusterTls.IsIssuedBy(null, authority));
        Assert.False(ClusterTls.IsIssuedBy(authority, X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_strangerDir, ClusterCertificates.AuthorityCertificateFile))));
    }
}
