using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Server.Cli;
using Berth.Server.Hosting;

namespace Berth.Server.Tests.Edge;

/// <summary>The operator's edge options of <c>berth serve</c>: defaults, and wrong values named.</summary>
public sealed class ConfiguringTheEdgeTests
{
    [Fact]
    public void Defaults_NeedNoRoot_AndShipCloudflaresPublishedRanges()
    {
        var edge = ServeCommand.ResolveEdge(null, null, null, null, null, null, null, null);

        Assert.Equal(["http://127.0.0.1:8081"], edge.HttpUrls);
        Assert.Equal(["https://127.0.0.1:8443"], edge.HttpsUrls);
        Assert.Contains("173.245.48.0/20", edge.CloudflareRanges);
        Assert.Contains("2606:4700::/32", edge.CloudflareRanges);
    }

    [Fact]
    public void Defaults_OnLoopbackListeners_OrderNoCertificates_AndSaySoAtStart()
    {
        var edge = ServeCommand.ResolveEdge(null, null, null, null, null, null, null, null);

        Assert.Null(edge.AcmeDirectory);
        Assert.True(edge.AcmeOffOnLoopback);
        var notice = ServeCommand.CertificatesNotice(edge);
        Assert.NotNull(notice);
        Assert.Contains("loopback", notice, StringComparison.Ordinal);
        Assert.Contains("--acme-directory", notice, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', notice);
    }

    [Theory]
    [InlineData("http://0.0.0.0:80", "https://0.0.0.0:443")]
    [InlineData("http://127.0.0.1:80", "https://*:443")]
    [InlineData("http://[::]:80", "https://[::1]:443")]
    [InlineData("http://192.0.2.10:80", "https://192.0.2.10:443")]
    public void PublicListeners_WithoutAcmeDirectory_OrderFromLetsEncrypt(string http, string https)
    {
        var edge = ServeCommand.ResolveEdge(http, https, null, null, null, null, null, null);

        Assert.Equal("acme-v02.api.letsencrypt.org", edge.AcmeDirectory?.Host);
        Assert.False(edge.AcmeOffOnLoopback);
        Assert.Null(ServeCommand.CertificatesNotice(edge));
    }

    [Theory]
    [InlineData("https://127.0.0.1:14000/dir", "127.0.0.1")]
    [InlineData("https://acme-v02.api.letsencrypt.org/directory", "acme-v02.api.letsencrypt.org")]
    public void AnExplicitAcmeDirectory_WinsOnLoopbackListeners(string directory, string host)
    {
        var edge = ServeCommand.ResolveEdge("http://localhost:8081", "https://[::1]:8443", null, null, null, directory, null, null);

        Assert.Equal(host, edge.AcmeDirectory?.Host);
        Assert.False(edge.AcmeOffOnLoopback);
        Assert.Null(ServeCommand.CertificatesNotice(edge));
    }

    [Theory]
    [InlineData("http://localhost:80", true)]
    [InlineData("http://127.0.0.2:80", true)]
    [InlineData("https://[::1]:443", true)]
    [InlineData("http://*:80", false)]
    [InlineData("http://0.0.0.0:80", false)]
    [InlineData("http://[::]:80", false)]
    [InlineData("http://10.0.0.5:80", false)]
    public void ListensOnLoopbackOnly_KnowsLoopbackAddresses(string url, bool loopback) =>
        Assert.Equal(loopback, EdgeFeature.ListensOnLoopbackOnly([url]));

    [Fact]
    public void Values_AreNormalised()
    {
        var edge = ServeCommand.ResolveEdge(
            "http://0.0.0.0:80; http://[::]:80", "https://*:443", "Apps.Example.COM", "panel.example.com", null, "https://127.0.0.1:14000/dir", "ops@example.com", null);

        Assert.Equal(["http://0.0.0.0:80", "http://[::]:80"], edge.HttpUrls);
        Assert.Equal("apps.example.com", edge.AppsDomain);
        Assert.Equal("panel.example.com", edge.ControlHost);
        Assert.Equal("ops@example.com", edge.AcmeEmail);
    }

    [Theory]
    [InlineData("https://127.0.0.1:80", null, null, null, null, "--edge-http")]
    [InlineData(null, "http://127.0.0.1:443", null, null, null, "--edge-https")]
    [InlineData("http://example.com:80", null, null, null, null, "--edge-http")]
    [InlineData(null, null, "not a name", null, null, "--apps-domain")]
    [InlineData(null, null, null, "bad_host!", null, "--control-host")]
    [InlineData(null, null, null, null, "/nonexistent/ranges.txt", "--cloudflare-ranges")]
    public void WrongValues_NameTheirSetting(string? http, string? https, string? apps, string? control, string? ranges, string setting)
    {
        var e = Assert.Throws<SettingsException>(() => ServeCommand.ResolveEdge(http, https, apps, control, ranges, null, null, null));
        Assert.StartsWith(setting, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_DefaultToTheEdgesOwn_AndReachItsOptions()
    {
        var defaults = ServeCommand.ResolveEdge(null, null, null, null, null, null, null, null);
        var options = new Berth.Proxy.EdgeOptions();
        EdgeFeature.Configure(options, defaults);

        Assert.Equal((10_000L, 256, 512, 1024L * 1024 * 1024), (defaults.MaxConnections, defaults.MaxConnectionsPerClient, defaults.MaxOriginConnections, defaults.MaxRequestBodySize));

        var set = ServeCommand.ResolveEdge(null, null, null, null, null, null, null, null, "2000", "none", "64", "500m");
        EdgeFeature.Configure(options, set);

        Assert.Equal((2000L, (int?)null, 64, 500L * 1024 * 1024), (options.MaxConcurrentConnections, options.MaxConnectionsPerClient, options.MaxConnectionsPerOrigin, options.MaxRequestBodySize));
        Assert.Null(ServeCommand.ResolveEdge(null, null, null, null, null, null, null, null, maxBodySize: "NONE").MaxRequestBodySize);
        Assert.Equal(2L << 30, ServeCommand.ResolveEdge(null, null, null, null, null, null, null, null, maxBodySize: "2g").MaxRequestBodySize);
        Assert.Equal(4096L, ServeCommand.ResolveEdge(null, null, null, null, null, null, null, null, maxBodySize: "4k").MaxRequestBodySize);
    }

    [Theory]
    [InlineData("0", null, null, null, "--edge-max-connections (BERTH_EDGE_MAX_CONNECTIONS)")]
    [InlineData("-5", null, null, null, "--edge-max-connections (BERTH_EDGE_MAX_CONNECTIONS)")]
    [InlineData(null, "lots", null, null, "--edge-max-connections-per-client (BERTH_EDGE_MAX_CONNECTIONS_PER_CLIENT)")]
    [InlineData(null, null, "none", null, "--edge-max-origin-connections (BERTH_EDGE_MAX_ORIGIN_CONNECTIONS)")]
    [InlineData(null, null, null, "1t", "--edge-max-body-size (BERTH_EDGE_MAX_BODY_SIZE)")]
    [InlineData(null, null, null, "0", "--edge-max-body-size (BERTH_EDGE_MAX_BODY_SIZE)")]
    public void WrongLimits_NameTheirSetting(string? connections, string? perClient, string? origin, string? body, string setting)
    {
        var e = Assert.Throws<SettingsException>(() => ServeCommand.ResolveEdge(null, null, null, null, null, null, null, null, connections, perClient, origin, body));
        Assert.StartsWith(setting + ":", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARangesFileWithAWrongLine_IsRefusedWithItsLineNumber()
    {
        using var files = new TempDirectory();
        var file = files.Combine("ranges.txt");
        File.WriteAllText(file, "# ok\n127.0.0.2/32\nnot-a-range\n");

        var e = Assert.Throws<SettingsException>(() => EdgeFeature.LoadCloudflareRanges(file));

        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AcmeDirectoryNone_OrdersNoCertificates()
    {
        Assert.False(ServeCommand.ResolveEdge("http://0.0.0.0:80", null, null, null, null, "none", null, null).AcmeOffOnLoopback);
        Assert.Null(ServeCommand.ResolveEdge("http://0.0.0.0:80", "https://0.0.0.0:443", null, null, null, "none", null, null).AcmeDirectory);
        Assert.Null(ServeCommand.ResolveEdge(null, null, null, null, null, "none", null, null).AcmeDirectory);
        Assert.Null(ServeCommand.ResolveEdge(null, null, null, null, null, " NONE ", null, null).AcmeDirectory);
    }

    [Fact]
    public void WrongAcmeSettings_NameTheirSetting()
    {
        Assert.StartsWith("--acme-directory", Assert.Throws<SettingsException>(() => ServeCommand.ResolveEdge(null, null, null, null, null, "http://plain.example/dir", null, null)).Message, StringComparison.Ordinal);
        Assert.StartsWith("--acme-email", Assert.Throws<SettingsException>(() => ServeCommand.ResolveEdge(null, null, null, null, null, null, "not-an-email", null)).Message, StringComparison.Ordinal);
        Assert.StartsWith("--acme-trust-root", Assert.Throws<SettingsException>(() => ServeCommand.ResolveEdge(null, null, null, null, null, null, null, "/nonexistent/root.pem")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OriginPullCa_IsReadAtStart_AndMakesOriginPullsAvailable()
    {
        using var folder = new TempDirectory();
        var file = folder.Combine("origin-pull-ca.pem");
        using (var first = Authority("CN=First CA", ca: true))
        using (var second = Authority("CN=Second CA", ca: true))
        {
            File.WriteAllText(file, first.ExportCertificatePem() + "\n" + second.ExportCertificatePem() + "\n");
        }

        Assert.Null(ServeCommand.ResolveEdge(null, null, null, null, null, null, null, null).OriginPullAuthorities);
        Assert.False(EdgeFeature.DomainsOptionsFrom(ServeCommand.ResolveEdge(null, null, null, null, null, null, null, null)).OriginPullsAvailable);

        var edge = ServeCommand.ResolveEdge(null, null, null, null, null, null, null, null, originPullCa: file);

        Assert.Equal(["CN=First CA", "CN=Second CA"], edge.OriginPullAuthorities!.Select(c => c.Subject));
        Assert.True(EdgeFeature.DomainsOptionsFrom(edge).OriginPullsAvailable);
        var options = new Berth.Proxy.EdgeOptions();
        EdgeFeature.Configure(options, edge);
        Assert.Equal(2, options.ClientCertificateAuthorities.Count);
    }

    [Theory]
    [InlineData("missing", "cannot be read")]
    [InlineData("empty", "holds no PEM certificate")]
    [InlineData("garbage", "holds no PEM certificate")]
    [InlineData("key", "holds a private key")]
    [InlineData("leaf", "is not a CA certificate")]
    public void WrongOriginPullCa_NamesItsSetting(string content, string expected)
    {
        using var folder = new TempDirectory();
        var file = folder.Combine("origin-pull-ca.pem");
        using var leaf = Authority("CN=Not A CA", ca: false);
        switch (content)
        {
            case "empty":
                File.WriteAllText(file, "");
                break;
            case "garbage":
                File.WriteAllText(file, "not a certificate\n");
                break;
            case "key":
                using (var key = ECDsa.Create())
                {
                    File.WriteAllText(file, leaf.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
                }

                break;
            case "leaf":
                File.WriteAllText(file, leaf.ExportCertificatePem());
                break;
        }

        var e = Assert.Throws<SettingsException>(() => ServeCommand.ResolveEdge(null, null, null, null, null, null, null, null, originPullCa: file));
        Assert.StartsWith("--cloudflare-origin-pull-ca (BERTH_CLOUDFLARE_ORIGIN_PULL_CA): ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private static X509Certificate2 Authority(string subject, bool ca)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }
}
