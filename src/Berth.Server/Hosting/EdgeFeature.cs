using System.Net;
using System.Net.Mail;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Acme;
using Berth.Proxy;
using Berth.Server.Edge;

namespace Berth.Server.Hosting;

/// <summary>
/// The edge inside <c>berth serve</c>: its settings, and its registration. The edge runs on Kestrel
/// listeners of its own (<see cref="EdgeRuntime"/>), apart from the panel and API on <c>--urls</c>.
/// </summary>
public static class EdgeFeature
{
    private const string RangesResource = "Berth.Server.Edge.cloudflare-ranges.txt";

    /// <summary>Registers the edge: its runtime, the route reconciler, the HTTP-01 challenge store, the SNI cache and the certificate installer.</summary>
    public static IServiceCollection AddBerthEdge(this IServiceCollection services, EdgeSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<InMemoryHttp01ChallengeStore>();
        services.AddSingleton<IHttp01ChallengeStore>(sp => sp.GetRequiredService<InMemoryHttp01ChallengeStore>());
        services.AddSingleton<IAcmeChallengeResponder, Http01ChallengeResponder>();
        services.AddSingleton<EdgeCertificateCache>();
        services.AddSingleton<Berth.Core.Certificates.ICertificateInstaller, EdgeCertificateInstaller>();
        services.AddSingleton<EdgeRuntime>();
        services.AddHostedService(sp => sp.GetRequiredService<EdgeRuntime>());
        services.AddSingleton<EdgeRouteReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<EdgeRouteReconciler>());
        return services;
    }

    /// <summary>Parses <c>--edge-http</c> / <c>--edge-https</c>: listener URLs separated by <c>;</c>.</summary>
    public static IReadOnlyList<string> ParseListeners(string value, string scheme, string setting)
    {
        var urls = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
        {
            throw new SettingsException($"{setting}: a listener URL such as {scheme}://0.0.0.0:{(scheme == "http" ? 80 : 443)} is required.");
        }

        foreach (var url in urls)
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                throw new SettingsException($"{setting}: '{url}' is not a listener URL such as {scheme}://0.0.0.0:{(scheme == "http" ? 80 : 443)}.");
            }

            var host = address.Host;
            var hostOk = host is "*" or "+" or "0.0.0.0" or "[::]" || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || IPAddress.TryParse(host.Trim('[', ']'), out _);
            if (!string.Equals(address.Scheme, scheme, StringComparison.OrdinalIgnoreCase) || !hostOk || address.Port is < 0 or > 65535
                || !string.IsNullOrEmpty(address.PathBase) || address.IsNamedPipe || address.IsUnixPipe)
            {
                throw new SettingsException($"{setting}: '{url}' must be {scheme}://ADDRESS:PORT with an IP address, '*' or 'localhost'.");
            }
        }

        return urls;
    }

    /// <summary>Parses a count limit (<c>--edge-max-connections</c> and the like): a positive whole number, or <c>none</c> (null) when <paramref name="noneAllowed"/>.</summary>
    public static long? ParseLimit(string value, string setting, long max, bool noneAllowed = true)
    {
        var text = value.Trim();
        if (noneAllowed && text.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit is > 0 && limit <= max
            ? limit
            : throw new SettingsException($"{setting}: '{value}' must be a whole number from 1 to {max}{(noneAllowed ? ", or none" : "")}.");
    }

    /// <summary>Parses <c>--edge-max-body-size</c>: bytes, with an optional <c>k</c>, <c>m</c> or <c>g</c> (binary multiples), or <c>none</c>.</summary>
    public static long? ParseSize(string value, string setting)
    {
        var text = value.Trim().ToLowerInvariant();
        if (text == "none")
        {
            return null;
        }

        var shift = text.Length == 0 ? 0 : text[^1] switch { 'k' => 10, 'm' => 20, 'g' => 30, _ => 0 };
        var digits = shift == 0 ? text : text[..^1];
        return long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size)
            && size > 0 && size <= long.MaxValue >> shift
            ? size << shift
            : throw new SettingsException($"{setting}: '{value}' must be a size in bytes such as 1073741824, 500m or 2g, or none.");
    }

    /// <summary>Parses a host name setting (<c>--apps-domain</c>, <c>--control-host</c>): lower-cased, DNS syntax.</summary>
    public static string ParseHostName(string value, string setting)
    {
        var name = value.Trim().TrimEnd('.').ToLowerInvariant();
        return name.Length is > 0 and <= 253 && Uri.CheckHostName(name) == UriHostNameType.Dns
            ? name
            : throw new SettingsException($"{setting}: '{value}' is not a host name such as example.com.");
    }

    /// <summary>Whether every listener URL is on a loopback address (<c>localhost</c>, 127.0.0.0/8, <c>[::1]</c>); '*' and 0.0.0.0 are not.</summary>
    public static bool ListensOnLoopbackOnly(IEnumerable<string> urls) => urls.All(url =>
    {
        var host = BindingAddress.Parse(url).Host;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    });

    /// <summary>
    /// The CA to order from: the given <c>--acme-directory</c> always; without one, Let's Encrypt, unless every
    /// edge listener is on loopback (then none, and <c>loopbackOnly</c> says why).
    /// </summary>
    public static Uri? ResolveAcmeDirectory(string? given, IEnumerable<string> listeners, out bool loopbackOnly)
    {
        loopbackOnly = given is null && ListensOnLoopbackOnly(listeners);
        return loopbackOnly ? null : ParseAcmeDirectory(given ?? EdgeSettings.DefaultAcmeDirectory);
    }

    /// <summary>Parses <c>--acme-directory</c>: an https URL, or <c>none</c> (null) to order no certificates.</summary>
    public static Uri? ParseAcmeDirectory(string value) =>
        value.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? null
        : Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
            ? uri
            : throw new SettingsException($"--acme-directory (BERTH_ACME_DIRECTORY): '{value}' must be an https URL of an ACME directory, or none.");

    public static string ParseAcmeEmail(string value) =>
        MailAddress.TryCreate(value.Trim(), out var address) && address.Address == value.Trim()
            ? address.Address
            : throw new SettingsException($"--acme-email (BERTH_ACME_EMAIL): '{value}' is not an email address.");

    /// <summary>Checks that <c>--acme-trust-root</c> names a readable PEM certificate; returns its full path.</summary>
    public static string ParseAcmeTrustRoot(string value)
    {
        try
        {
            var path = Path.GetFullPath(value);
            using var _ = AcmeTrust.LoadRoot(path);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or System.Security.Cryptography.CryptographicException or NotSupportedException)
        {
            throw new SettingsException($"--acme-trust-root (BERTH_ACME_TRUST_ROOT): '{value}' is not a readable PEM certificate: {e.Message}");
        }
    }

    /// <summary>
    /// Reads <c>--cloudflare-origin-pull-ca</c>: a PEM file of one or more CA certificates (Cloudflare's
    /// origin pull CA, and any per-hostname CA an admin adds). Certificates only: a private key in the
    /// file, a certificate that is not a CA, or no certificate at all is refused.
    /// </summary>
    public static X509Certificate2Collection LoadOriginPullAuthorities(string file)
    {
        const string Setting = "--cloudflare-origin-pull-ca (BERTH_CLOUDFLARE_ORIGIN_PULL_CA)";
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SettingsException($"{Setting}: '{file}' cannot be read: {e.Message}");
        }

        if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new SettingsException($"{Setting}: '{file}' holds a private key; it must hold CA certificates only.");
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            throw new SettingsException($"{Setting}: '{file}' is not a PEM file of certificates: {e.Message}");
        }

        if (authorities.Count == 0)
        {
            throw new SettingsException($"{Setting}: '{file}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        }

        foreach (var authority in authorities)
        {
            var constraints = authority.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
            // Version 1 certificates have no extensions and may still be roots; one that says it is no CA is not.
            if (constraints is { CertificateAuthority: false })
            {
                throw new SettingsException($"{Setting}: '{file}': '{authority.Subject}' is not a CA certificate.");
            }
        }

        return authorities;
    }

    /// <summary>Reads a ranges file for <c>--cloudflare-ranges</c>: one CIDR a line, <c>#</c> starts a comment.</summary>
    public static IReadOnlyList<string> LoadCloudflareRanges(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SettingsException($"--cloudflare-ranges (BERTH_CLOUDFLARE_RANGES): '{file}' cannot be read: {e.Message}");
        }

        return ParseRanges(text, $"--cloudflare-ranges (BERTH_CLOUDFLARE_RANGES): '{file}'");
    }

    /// <summary>The ranges Cloudflare publishes, as shipped with Berth.</summary>
    public static IReadOnlyList<string> PublishedCloudflareRanges()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(RangesResource)
            ?? throw new InvalidOperationException($"Resource {RangesResource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return ParseRanges(reader.ReadToEnd(), "the shipped Cloudflare ranges");
    }

    private static string[] ParseRanges(string text, string source)
    {
        var ranges = new List<string>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Split('#', 2)[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (!IPNetwork.TryParse(line, out var network))
            {
                throw new SettingsException($"{source}, line {lineNumber}: '{line}' is not a CIDR range such as 173.245.48.0/20.");
            }

            ranges.Add(network.ToString());
        }

        return ranges.Count > 0 ? [.. ranges] : throw new SettingsException($"{source} lists no ranges.");
    }

    /// <summary>The edge's options from the serve settings.</summary>
    internal static void Configure(EdgeOptions options, EdgeSettings settings)
    {
        options.HttpUrls.Clear();
        foreach (var url in settings.HttpUrls)
        {
            options.HttpUrls.Add(url);
        }

        options.HttpsUrls.Clear();
        foreach (var url in settings.HttpsUrls)
        {
            options.HttpsUrls.Add(url);
        }

        foreach (var range in settings.CloudflareRanges)
        {
            options.CloudflareRanges.Add(range);
        }

        options.MaxConcurrentConnections = settings.MaxConnections;
        options.MaxConnectionsPerClient = settings.MaxConnectionsPerClient;
        options.MaxConnectionsPerOrigin = settings.MaxOriginConnections;
        options.MaxRequestBodySize = settings.MaxRequestBodySize;
        if (settings.OriginPullAuthorities is { } authorities)
        {
            options.ClientCertificateAuthorities.AddRange(authorities);
        }

        // Redirects to HTTPS name the listener's port unless it is the standard one.
        var port = BindingAddress.Parse(settings.HttpsUrls[0]).Port;
        options.HttpsRedirectPort = port is 443 or 0 ? null : port;
    }

    /// <summary>Parses <c>--dns-resolver</c>: an IP address with an optional port (53 when left out); null when unset.</summary>
    public static System.Net.IPEndPoint? ParseDnsResolver(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Berth.Core.Domains.Verification.DnsTxtLookup.TryParseResolver(value, out var endPoint)
            ? endPoint
            : throw new SettingsException($"--dns-resolver (BERTH_DNS_RESOLVER) must be an IP address with an optional port, e.g. 127.0.0.1:53 or [::1]:5353, not '{value}'.");
    }

    /// <summary>The platform's reserved names for the domain rules, from the edge options (defaults when unset).</summary>
    public static Berth.Core.Domains.DomainsOptions DomainsOptionsFrom(EdgeSettings edge)
    {
        var options = new Berth.Core.Domains.DomainsOptions();
        if (edge.AppsDomain is { Length: > 0 } apps)
        {
            options.AppsDomain = apps;
        }

        if (edge.ControlHost is { Length: > 0 } control)
        {
            options.ControlHost = control;
        }

        options.OriginPullsAvailable = edge.OriginPullAuthorities is { Count: > 0 };
        options.VerificationRequired = edge.DomainVerification;
        options.DnsResolver = edge.DnsResolver;

        return options;
    }
}
