namespace Berth.Server.Hosting;

/// <summary>Settings of <c>berth serve</c> on top of the shared ones.</summary>
public sealed record ServeSettings(BerthSettings Common, string Urls, string? AdminPassword)
{
    public const string DefaultUrls = "http://127.0.0.1:8080";
    public const string DefaultDockerHost = "unix:///var/run/docker.sock";

    /// <summary>The host engine where virtual servers run.</summary>
    public Uri DockerHost { get; init; } = new(DefaultDockerHost);

    /// <summary><c>auto</c>, <c>sysbox</c>, <c>privileged</c> or <c>caps</c>.</summary>
    public string RuntimeProfile { get; init; } = "auto";

    /// <summary>Image of new virtual servers; the built virtual-server image when null.</summary>
    public string? ServerImage { get; init; }

    /// <summary>Distinguishes this installation's containers from another's on a shared engine (labels).</summary>
    public string InstallationId { get; init; } = "default";

    /// <summary>Docker network of the virtual servers.</summary>
    public string ServersNetwork { get; init; } = "berth-servers";

    /// <summary>The edge: listeners, names, Cloudflare ranges and certificate authority.</summary>
    public EdgeSettings Edge { get; init; } = new();
    /// <summary>Registry mirror written into every server's engine configuration (none when null).</summary>
    public string? RegistryMirror { get; init; }

    /// <summary>Whether Berth installs host firewall rules for the servers' network.</summary>
    public bool HostFirewall { get; init; } = true;

    /// <summary>Whether servers are kept off private and link-local ranges.</summary>
    public bool BlockPrivateEgress { get; init; } = true;

    /// <summary>Ranges servers may reach in spite of <see cref="BlockPrivateEgress"/>.</summary>
    public IReadOnlyList<string> AllowedEgress { get; init; } = [];

    /// <summary>Largest file one upload to a server's /apps may write; null keeps <c>Berth:Files:MaxUploadSize</c>.</summary>
    public long? MaxUploadSize { get; init; }

    public static long? ParseMaxUploadSize(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
            : EdgeFeature.ParseSize(value, "--max-upload-size (BERTH_MAX_UPLOAD_SIZE)")
              ?? throw new SettingsException("--max-upload-size (BERTH_MAX_UPLOAD_SIZE): uploads need a limit, such as 4g.");

    /// <summary>How long a terminal whose connection was lost keeps its shell (Berth:Terminal:GracePeriod when null).</summary>
    public TimeSpan? TerminalGracePeriod { get; init; }

    /// <summary>How long an idle terminal stays open (Berth:Terminal:IdleTimeout when null).</summary>
    public TimeSpan? TerminalIdleTimeout { get; init; }

    /// <summary>A duration such as <c>90s</c>, <c>5m</c>, <c>1h</c> (or <c>hh:mm:ss</c>) for the setting named <paramref name="name"/>; null when empty.</summary>
    public static TimeSpan? ParseDuration(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim().ToLowerInvariant();
        TimeSpan? parsed = text[^1] switch
        {
            's' or 'm' or 'h' when long.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n <= 100_000 =>
                text[^1] switch { 's' => TimeSpan.FromSeconds(n), 'm' => TimeSpan.FromMinutes(n), _ => TimeSpan.FromHours(n) },
            _ when text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero => span,
            _ => null,
        };
        return parsed ?? throw new SettingsException($"{name}: '{value}' is not a duration such as 90s, 5m or 1h.");
    }

    /// <summary>The pool of public ports of TCP forwards (<c>--forward-ports</c>), both ends included.</summary>
    public (int First, int Last) ForwardPorts { get; init; } = (30000, 30029);

    /// <summary>The name shown to users as <c>host:port</c> of a forward (<c>--forward-host</c>); the control host, else localhost, when null.</summary>
    public string? ForwardHost { get; init; }

    /// <summary>Parses <c>FIRST-LAST</c> (or one port) for <c>--forward-ports</c>.</summary>
    public static (int First, int Last) ParseForwardPorts(string value)
    {
        var parts = value.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var first)
            && int.TryParse(parts[^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var last)
            && first is >= 1 and <= 65535 && last is >= 1 and <= 65535 && first <= last)
        {
            return (first, last);
        }

        throw new SettingsException($"--forward-ports (BERTH_FORWARD_PORTS): '{value}' must be FIRST-LAST, ports from 1 to 65535, e.g. 30000-30029.");
    }

    public static string? ParseForwardHost(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var host = value.Trim();
        return Uri.CheckHostName(host.Trim('[', ']')) != UriHostNameType.Unknown && host.Length <= 253
            ? host
            : throw new SettingsException($"--forward-host (BERTH_FORWARD_HOST): '{value}' is not a host name or address.");
    }

    /// <summary>Where the SSH entry listens (<c>--ssh-listen</c>); null when it is off (<c>--ssh off</c>).</summary>
    public System.Net.IPEndPoint? SshListen { get; init; } = new(System.Net.IPAddress.Loopback, 2222);

    /// <summary>Parses <c>--ssh-listen ADDRESS:PORT</c> (IPv6 in brackets) or <c>off</c>.</summary>
    public static System.Net.IPEndPoint? ParseSshListen(string value)
    {
        var text = value.Trim();
        if (text.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return System.Net.IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port is > 0 and <= 65535 && text.Contains(':', StringComparison.Ordinal)
            && (endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || text.StartsWith('['))
            ? endpoint
            : throw new SettingsException($"--ssh-listen (BERTH_SSH_LISTEN): '{value}' is not ADDRESS:PORT (e.g. 127.0.0.1:2222 or 0.0.0.0:22) or off.");
    }

    public static string? ParseRegistryMirror(string? value)
    {
        try
        {
            return Berth.Core.Servers.RegistryMirror.Parse(value)?.ToString();
        }
        catch (ArgumentException e)
        {
            throw new SettingsException($"--registry-mirror (BERTH_REGISTRY_MIRROR): {e.Message}");
        }
    }

    /// <summary><c>on</c>/<c>off</c> (also true/false, 1/0) for a switch named <paramref name="name"/>.</summary>
    public static bool ParseSwitch(string value, string name) =>
        value.Trim().ToLowerInvariant() switch
        {
            "on" or "true" or "1" or "yes" or "block" => true,
            "off" or "false" or "0" or "no" or "allow" => false,
            _ => throw new SettingsException($"{name}: '{value}' is not on or off."),
        };

    public static IReadOnlyList<string> ParseAllowedEgress(string? value)
    {
        try
        {
            return (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(Berth.Core.Servers.Network.ServerFirewallPlan.NormaliseRange)
                .ToList();
        }
        catch (ArgumentException e)
        {
            throw new SettingsException($"--allowed-egress (BERTH_ALLOWED_EGRESS): {e.Message}");
        }
    }

    /// <summary>Parses a <c>--docker-host</c> value, naming the setting when it is wrong.</summary>
    public static Uri ParseDockerHost(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "tcp"
            ? uri
            : throw new SettingsException($"--docker-host (BERTH_DOCKER_HOST): '{value}' must be unix:///path/to/docker.sock or tcp://host:port.");

    public static string ParseRuntimeProfile(string value) =>
        value.Trim().ToLowerInvariant() is var profile && profile is "auto" or "sysbox" or "privileged" or "caps"
            ? profile
            : throw new SettingsException($"--runtime-profile (BERTH_RUNTIME_PROFILE): '{value}' is not one of auto, sysbox, privileged, caps.");
}
