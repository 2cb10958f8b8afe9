using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace PoolCluster.Security;

/// <summary>Where a member finds its TLS identity and the authority it trusts.</summary>
/// <param name="CertificatePath">The member's certificate with its private key (<c>.pfx</c>).</param>
/// <param name="Password">The password of the <c>.pfx</c> file.</param>
/// <param name="AuthorityPath">The cluster authority's certificate (<c>ca.crt</c>); peers must chain to it.</param>
public sealed record TlsOptions(string CertificatePath, string? Password, string AuthorityPath);

/// <summary>
/// Mutual TLS for Akka.Remote: every connection, in both directions, must present a certificate signed by the
/// cluster's own authority; anything else is refused during the handshake and logged.
/// </summary>
public static class ClusterTls
{
    /// <summary>The HOCON that turns TLS on for the DotNetty transport.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString("""
        akka.remote.dot-netty.tcp.enable-ssl = true
        akka.remote.dot-netty.tcp.ssl.suppress-validation = false
        akka.remote.dot-netty.tcp.ssl.require-mutual-authentication = true
        akka.remote.dot-netty.tcp.ssl.validate-certificate-hostname = false
        """);

    /// <summary>
    /// Builds the actor system setup for a member: <paramref name="config"/> with TLS switched on, and the member's
    /// certificate with a validator that accepts only peers chaining to the cluster authority.
    /// </summary>
    public static ActorSystemSetup Setup(Config config, TlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var certificate = LoadMember(tls);
        var authority = LoadAuthority(tls.AuthorityPath);
        var ssl = new DotNettySslSetup(certificate, suppressValidation: false, requireMutualAuthentication: true,
            validateCertificateHostname: false, customValidator: ChainsTo(authority));
        return BootstrapSetup.Create().WithConfig(Config.WithFallback(config)).And(ssl);
    }

    /// <summary>Creates an actor system with TLS when <paramref name="tls"/> is given, plainly otherwise.</summary>
    public static ActorSystem CreateSystem(string name, Config config, TlsOptions? tls)
    {
        var setup = tls is null ? ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config)) : Setup(config, tls);
        // Every cluster member is created here: the one place to keep remoting's lifecycle warnings out of its log.
        if (Cluster.RemotingNoise.For(config) is { } quiet) setup = setup.And(quiet);
        return ActorSystem.Create(name, setup);
    }

    /// <summary>Akka names TLS addresses <c>akka.ssl.tcp://</c>: a seed given as <c>akka.tcp://</c> is meant the same.</summary>
    public static string SecureAddress(string address) =>
        address.StartsWith("akka.tcp://", StringComparison.Ordinal) ? "akka.ssl.tcp://" + address["akka.tcp://".Length..] : address;

    /// <summary>A validator that accepts a peer certificate only if it chains to <paramref name="authority"/>.</summary>
    public static CertificateValidationCallback ChainsTo(X509Certificate2 authority) =>
        (certificate, _, _, _, log) => IsIssuedBy(certificate, authority, log);

    /// <summary>True if <paramref name="certificate"/> chains to <paramref name="authority"/> (and only to it).</summary>
    public static bool IsIssuedBy(X509Certificate2? certificate, X509Certificate2 authority, ILoggingAdapter? log = null)
    {
        if (certificate is null)
        {
            log?.Warning("TLS: a peer presented no certificate; connection refused");
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        var ok = chain.Build(certificate);
        if (ok) ok = chain.ChainElements[^1].Certificate.Thumbprint == authority.Thumbprint;
        if (!ok)
            log?.Warning("TLS: refused a peer certificate {0} (issuer {1}): it is not signed by this cluster's authority {2}",
                certificate.Subject, certificate.Issuer, authority.Subject);
        return ok;
    }

    private static X509Certificate2 LoadMember(TlsOptions tls)
    {
        if (!File.Exists(tls.CertificatePath))
            throw new FileNotFoundException($"TLS certificate '{tls.CertificatePath}' not found (--tls-cert / POOL_TLS_CERT)", tls.CertificatePath);
        var cert = X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath, tls.Password, X509KeyStorageFlags.Exportable);
        if (!cert.HasPrivateKey) throw new ArgumentException($"TLS certificate '{tls.CertificatePath}' has no private key: use the member's .pfx file");
        return cert;
    }

    private static X509Certificate2 LoadAuthority(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Cluster authority certificate '{path}' not found (--tls-ca / POOL_TLS_CA)", path);
        return X509CertificateLoader.LoadCertificateFromFile(path);
    }
}
