using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PoolCluster.Security;

/// <summary>
/// Creates a cluster's own certificate authority and the member certificates it signs, so that mutual TLS admits
/// exactly the members holding a certificate from this authority (Python's manager authkey, done with TLS).
/// </summary>
public static class ClusterCertificates
{
    /// <summary>File name of the authority's public certificate, which every member trusts.</summary>
    public const string AuthorityCertificateFile = "ca.crt";

    /// <summary>File name of the authority with its private key; keep it off the cluster's machines.</summary>
    public const string AuthorityKeyFile = "ca.pfx";

    /// <summary>Creates a self-signed certificate authority valid for <paramref name="years"/> years.</summary>
    public static X509Certificate2 CreateAuthority(string name = "PoolCluster CA", int years = 10)
    {
        using var key = RSA.Create(3072);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        return request.CreateSelfSigned(now, now.AddYears(years));
    }

    /// <summary>Issues a member certificate (server and client authentication) signed by <paramref name="authority"/>.</summary>
    /// <param name="authority">The cluster authority, with its private key.</param>
    /// <param name="memberName">The member's name (common name), e.g. "seed" or "node-1".</param>
    /// <param name="hostNames">Host names and IP addresses the member is reached at (subject alternative names).</param>
    /// <param name="years">Validity in years.</param>
    public static X509Certificate2 IssueMember(X509Certificate2 authority, string memberName, IEnumerable<string>? hostNames = null, int years = 2)
    {
        ArgumentNullException.ThrowIfNull(authority);
        if (!authority.HasPrivateKey) throw new ArgumentException("The authority certificate has no private key: load ca.pfx, not ca.crt", nameof(authority));
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={memberName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server auth, client auth
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(memberName);
        foreach (var host in hostNames ?? ["localhost", "127.0.0.1"])
        {
            if (IPAddress.TryParse(host, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(host);
        }
        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = now.AddYears(years) < authority.NotAfter ? now.AddYears(years) : new DateTimeOffset(authority.NotAfter.ToUniversalTime());
        using var signed = request.Create(authority, now, notAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// Writes a cluster's certificates into <paramref name="directory"/>: <c>ca.pfx</c> (the authority with its key),
    /// <c>ca.crt</c> (what members trust) and <c>&lt;member&gt;.pfx</c> for each member, protected by <paramref name="password"/>.
    /// </summary>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> WriteCluster(string directory, string password, IEnumerable<string> members, IEnumerable<string>? hostNames = null)
    {
        Directory.CreateDirectory(directory);
        using var authority = CreateAuthority($"PoolCluster CA {DateTime.UtcNow:yyyy-MM-dd} {Guid.NewGuid().ToString("N")[..8]}");
        var written = new List<string>
        {
            Write(Path.Combine(directory, AuthorityKeyFile), authority.Export(X509ContentType.Pfx, password)),
            Write(Path.Combine(directory, AuthorityCertificateFile), authority.Export(X509ContentType.Cert)),
        };
        var hosts = hostNames?.ToList();
        foreach (var member in members)
        {
            using var cert = IssueMember(authority, member, hosts);
            written.Add(Write(Path.Combine(directory, member + ".pfx"), cert.Export(X509ContentType.Pfx, password)));
        }
        return written;
    }

    private static string Write(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
