using Akka.Actor;
using Akka.Configuration;

namespace PoolCluster.Cli;

/// <summary>Values given on the command line; null (or empty) means "not given".</summary>
internal sealed record MemberArguments(
    string? Host = null,
    string? Port = null,
    string? PublicHost = null,
    IReadOnlyList<string>? Seeds = null,
    string? Processes = null,
    string? ConfigPath = null,
    string? TlsCertificate = null,
    string? TlsPassword = null,
    string? TlsAuthority = null,
    IReadOnlyList<string>? Roles = null,
    string? HttpHost = null,
    string? HttpPort = null,
    string? HttpToken = null,
    string? JoinTimeout = null);

/// <summary>
/// The resolved settings of one member. Layers, lowest first: Pool.Core's pool defaults and cluster defaults, the
/// program's defaults (port), the HOCON file, the environment (<c>POOL_HOST</c>, <c>POOL_PORT</c>,
/// <c>POOL_PUBLIC_HOST</c>, <c>POOL_SEEDS</c>, <c>POOL_PROCESSES</c>, <c>POOL_ROLES</c>), then the command line, which wins.
/// Roles add up: the program's own role, the HOCON file's <c>akka.cluster.roles</c>, and <c>--role</c> (or, without
/// it, <c>POOL_ROLES</c>).
/// </summary>
internal sealed record MemberSettings(
    string Host,
    int Port,
    string? PublicHost,
    IReadOnlyList<string> Seeds,
    bool JoinSelf,
    IReadOnlyList<string> Roles,
    int Processes,
    string? ConfigFile,
    Config Config,
    PoolCluster.Security.TlsOptions? Tls,
    TimeSpan JoinTimeout,
    PoolCluster.Dashboard.MemberHttpOptions? Http = null)
{
    /// <summary>Actor system name of every PoolCluster member.</summary>
    public const string SystemName = "pool";

    public const string HostVariable = "POOL_HOST";
    public const string PortVariable = "POOL_PORT";
    public const string PublicHostVariable = "POOL_PUBLIC_HOST";
    public const string SeedsVariable = "POOL_SEEDS";
    public const string ProcessesVariable = "POOL_PROCESSES";
    public const string RolesVariable = "POOL_ROLES";
    public const string TlsCertificateVariable = "POOL_TLS_CERT";
    public const string TlsPasswordVariable = "POOL_TLS_PASSWORD";
    public const string TlsAuthorityVariable = "POOL_TLS_CA";
    public const string HttpHostVariable = "POOL_HTTP_HOST";
    public const string HttpPortVariable = "POOL_HTTP_PORT";
    public const string HttpTokenVariable = "POOL_HTTP_TOKEN";
    public const string JoinTimeoutVariable = "POOL_JOIN_TIMEOUT";

    /// <summary>Resolves the layers. Throws <see cref="MemberSettingsException"/> naming the bad value and its source.</summary>
    /// <param name="program">Which program is starting.</param>
    /// <param name="args">Command-line values.</param>
    /// <param name="environment">Reads an environment variable; <see cref="Environment.GetEnvironmentVariable(string)"/> by default.</param>
    public static MemberSettings Resolve(MemberProgram program, MemberArguments args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? Env(string name) => environment(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        var (configFile, fileConfig) = LoadFile(program, args.ConfigPath);
        var programDefaults = ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp.port = {program.DefaultPort}\npoolcluster.http.port = {program.DefaultHttpPort}");
        var belowExplicit = fileConfig.WithFallback(programDefaults);
        var effective = belowExplicit.WithMemberDefaults();

        var host = NonEmpty("--host", args.Host) ?? Env(HostVariable) ?? effective.GetString("akka.remote.dot-netty.tcp.hostname");
        var port = args.Port is { } p ? ParsePort("--port", p)
                 : Env(PortVariable) is { } ep ? ParsePort(PortVariable, ep)
                 : CheckPort($"akka.remote.dot-netty.tcp.port in {configFile ?? "configuration"}", effective.GetInt("akka.remote.dot-netty.tcp.port"));
        var publicHost = NonEmpty("--public-host", args.PublicHost) ?? Env(PublicHostVariable);

        var seeds = args.Seeds is { Count: > 0 } s ? s.Select(x => ParseSeed("--seed", x)).ToList()
                  : Env(SeedsVariable) is { } es ? SplitSeeds(es).Select(x => ParseSeed(SeedsVariable, x)).ToList()
                  : effective.GetStringList("akka.cluster.seed-nodes").Select(x => ParseSeed($"akka.cluster.seed-nodes in {configFile}", x)).ToList();
        var joinSelf = seeds.Count == 0;
        if (joinSelf && !program.JoinsItselfWithoutSeeds)
            throw new MemberSettingsException(
                $"{program.Name} needs at least one seed: --seed akka.tcp://{SystemName}@HOST:4053 (repeatable), " +
                $"{SeedsVariable}=akka.tcp://{SystemName}@HOST:4053[,...], or akka.cluster.seed-nodes in {program.ConfigFileName}");

        var processes = 0;
        if (program.OffersProcesses)
        {
            processes = args.Processes is { } n ? ParseProcesses("--processes", n)
                      : Env(ProcessesVariable) is { } en ? ParseProcesses(ProcessesVariable, en)
                      : PoolSettings.Create(effective).Processes;
        }

        var extraRoles = !program.OffersProcesses ? []
                       : args.Roles is { Count: > 0 } r ? r.Select(x => ParseRole("--role", x)).ToList()
                       : Env(RolesVariable) is { } er ? SplitSeeds(er).Select(x => ParseRole(RolesVariable, x)).ToList()
                       : [];
        var roles = effective.GetStringList("akka.cluster.roles").Select(x => ParseRole($"akka.cluster.roles in {configFile}", x))
            .Append(program.Role).Concat(extraRoles).Distinct().ToList();
        var explicitLayer = publicHost is null
            ? Config.Empty
            : ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp.public-hostname = {PoolClusterConfig.Quote(publicHost)}");
        if (program.OffersProcesses)
            explicitLayer = ConfigurationFactory.ParseString($"poolcluster.pool.processes = {processes}").WithFallback(explicitLayer);
        // Mutual TLS: on when a certificate is given; then the authority is required too.
        // reference.conf's "" means not set.
        var tlsConfig = HoconSection.Of(effective, "poolcluster.tls");
        string? PathFromConfig(string key) => string.IsNullOrWhiteSpace(tlsConfig.String(key)) ? null : tlsConfig.String(key).Trim();
        var tlsCertificate = NonEmpty("--tls-cert", args.TlsCertificate) ?? Env(TlsCertificateVariable) ?? PathFromConfig("certificate");
        var tlsPassword = args.TlsPassword ?? Env(TlsPasswordVariable) ?? (tlsConfig.String("password") is { Length: > 0 } pw ? pw : null);
        var tlsAuthority = NonEmpty("--tls-ca", args.TlsAuthority) ?? Env(TlsAuthorityVariable) ?? PathFromConfig("authority");
        PoolCluster.Security.TlsOptions? tls = null;
        if (tlsCertificate is not null || tlsAuthority is not null)
        {
            if (tlsCertificate is null || tlsAuthority is null)
                throw new MemberSettingsException($"TLS needs both the member certificate (--tls-cert / {TlsCertificateVariable}) and the cluster authority (--tls-ca / {TlsAuthorityVariable})");
            if (!File.Exists(tlsCertificate)) throw new MemberSettingsException($"TLS certificate '{tlsCertificate}' not found");
            if (!File.Exists(tlsAuthority)) throw new MemberSettingsException($"cluster authority certificate '{tlsAuthority}' not found");
            tls = new PoolCluster.Security.TlsOptions(tlsCertificate, tlsPassword, tlsAuthority);
            seeds = seeds.Select(PoolCluster.Security.ClusterTls.SecureAddress).ToList();
        }
        var joinTimeout = args.JoinTimeout is { } jt ? ParseDuration("--join-timeout", jt)
                        : Env(JoinTimeoutVariable) is { } ejt ? ParseDuration(JoinTimeoutVariable, ejt)
                        : CheckDuration($"poolcluster.join-timeout in {configFile ?? "configuration"}", PoolCluster.Cluster.MembershipSettings.Create(effective).JoinTimeout);
        var config = PoolClusterConfig.ForMember(host, port, seeds, roles, explicitLayer.WithFallback(belowExplicit));
        var http = ResolveHttp(program, args, Env, effective, configFile);
        return new MemberSettings(host, port, publicHost, seeds, joinSelf, roles, processes, configFile, config, tls, joinTimeout, http);
    }

    /// <summary>The HTTP host (metrics, health, dashboard): port 0 turns it off; the host must be an IP or localhost.</summary>
    private static PoolCluster.Dashboard.MemberHttpOptions? ResolveHttp(MemberProgram program, MemberArguments args, Func<string, string?> env,
        Config effective, string? configFile)
    {
        var http = HoconSection.Of(effective, "poolcluster.http");
        var port = args.HttpPort is { } p ? ParsePort("--http-port", p)
                 : env(HttpPortVariable) is { } ep ? ParsePort(HttpPortVariable, ep)
                 : CheckPort($"poolcluster.http.port in {configFile ?? "configuration"}", http.Int("port"));
        if (port == 0) return null;
        var (hostSource, host) = NonEmpty("--http-host", args.HttpHost) is { } h ? ("--http-host", h)
                 : env(HttpHostVariable) is { } eh ? (HttpHostVariable, eh)
                 : ("poolcluster.http.host", http.String("host"));
        if (host != "localhost" && !System.Net.IPAddress.TryParse(host, out _))
            throw new MemberSettingsException($"{hostSource}: '{host}' is not an IP address to listen on; give one such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface), or localhost");
        var token = args.HttpToken ?? env(HttpTokenVariable) ?? http.String("token");
        return new PoolCluster.Dashboard.MemberHttpOptions(host, port, string.IsNullOrEmpty(token) ? null : token, program.ServesDashboard, program.OffersProcesses);
    }

    /// <summary>Checks that <paramref name="address"/> is a PoolCluster member address (<c>akka.tcp://pool@host:port</c>).</summary>
    public static string ParseSeed(string source, string address)
    {
        Address parsed;
        try { parsed = Address.Parse(address.Trim()); }
        catch (Exception e)
        {
            throw new MemberSettingsException($"{source}: '{address}' is not a seed address such as akka.tcp://{SystemName}@127.0.0.1:4053", e);
        }
        if (parsed.Protocol is not ("akka.tcp" or "akka.ssl.tcp") || string.IsNullOrEmpty(parsed.Host) || parsed.Port is null or <= 0 or > 65535)
            throw new MemberSettingsException($"{source}: '{address}' must have the form akka.tcp://{SystemName}@HOST:PORT");
        if (parsed.System != SystemName)
            throw new MemberSettingsException($"{source}: '{address}' names actor system '{parsed.System}', but PoolCluster members are all '{SystemName}'");
        return parsed.ToString();
    }

    private static (string? Path, Config Config) LoadFile(MemberProgram program, string? explicitPath)
    {
        var path = explicitPath ?? Path.Combine(AppContext.BaseDirectory, program.ConfigFileName);
        if (!File.Exists(path))
        {
            if (explicitPath is not null) throw new MemberSettingsException($"--config: file '{explicitPath}' not found");
            return (null, Config.Empty); // no file beside the executable: built-in defaults only
        }
        try { return (Path.GetFullPath(path), ConfigurationFactory.ParseString(File.ReadAllText(path))); }
        catch (Exception e) { throw new MemberSettingsException($"{path}: not valid HOCON: {e.Message}", e); }
    }

    private static IEnumerable<string> SplitSeeds(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? NonEmpty(string source, string? value) =>
        value is null ? null
        : string.IsNullOrWhiteSpace(value) ? throw new MemberSettingsException($"{source}: must not be empty")
        : value.Trim();

    /// <summary>A role is a plain name, as clients name it in <c>PoolOptions.WorkerRole</c>.</summary>
    private static string ParseRole(string source, string text)
    {
        var role = text.Trim();
        if (role.Length == 0 || !role.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new MemberSettingsException($"{source}: '{text}' is not a role name (letters, digits, '-', '_', '.'), such as --role gpu");
        return role;
    }

    private static int ParsePort(string source, string text) =>
        int.TryParse(text.Trim(), out var port) ? CheckPort(source, port)
            : throw new MemberSettingsException($"{source}: '{text}' is not a port number (0-65535)");

    private static int CheckPort(string source, int port) =>
        port is >= 0 and <= 65535 ? port
            : throw new MemberSettingsException($"{source}: port {port} is out of range (0-65535; 0 picks a free port)");

    /// <summary>A HOCON duration (<c>30s</c>, <c>2m</c>, <c>500ms</c>); a bare number is seconds.</summary>
    private static TimeSpan ParseDuration(string source, string text)
    {
        var t = text.Trim();
        if (double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            return seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : CheckDuration(source, TimeSpan.Zero);
        TimeSpan parsed;
        try { parsed = ConfigurationFactory.ParseString($"d = {PoolClusterConfig.Quote(t)}").GetTimeSpan("d"); }
        catch (Exception e) { throw new MemberSettingsException($"{source}: '{text}' is not a duration such as 30s, 2m or 500ms", e); }
        return CheckDuration(source, parsed);
    }

    private static TimeSpan CheckDuration(string source, TimeSpan value) =>
        value > TimeSpan.Zero ? value : throw new MemberSettingsException($"{source}: must be a positive duration such as 30s, 2m or 500ms");

    private static int ParseProcesses(string source, string text) =>
        int.TryParse(text.Trim(), out var n) ? CheckProcesses(source, n)
            : throw new MemberSettingsException($"{source}: '{text}' is not a number of processes");

    private static int CheckProcesses(string source, int n) =>
        n >= 1 ? n : throw new MemberSettingsException($"{source}: {n} processes; a worker node offers at least 1");
}
