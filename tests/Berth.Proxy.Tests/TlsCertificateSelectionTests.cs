using System.Net;
using System.Security.Cryptography.X509Certificates;
using Berth.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests;

public sealed class TlsCertificateSelectionTests : EdgeTestBase
{
    [Theory]
    [InlineData("a.test", "backend-a")]
    [InlineData("b.test", "backend-b")]
    public async Task Handshake_ServesTheCertificateOfTheRequestedName(string host, string expected)
    {
        var cache = Edge.Services.GetRequiredService<EdgeCertificateCache>();
        cache.Set("a.test", OriginCertificate.CreateSelfSigned(["a.test"], TimeProvider.System));
        cache.Set("b.test", OriginCertificate.CreateSelfSigned(["b.test"], TimeProvider.System));
        X509Certificate2? served = null;
        using var client = EdgeClients.Create(HttpsEdge, onCertificate: certificate => served = certificate);

        var body = await client.GetStringAsync(new Uri($"https://{host}/"));

        Assert.Equal(expected, body);
        Assert.NotNull(served);
        Assert.Equal($"CN={host}", served.Subject);
        Assert.Equal(host, served.GetNameInfo(X509NameType.DnsName, false));
    }

    [Fact]
    public async Task Https_ForwardsWithHttpsProto_AndIsNotRedirected()
    {
        Edge.Routes.Apply([new EdgeRoute("secure.test", A.Address, EdgeTlsMode.Acme, CertificateIssued: true)]);
        Edge.Services.GetRequiredService<EdgeCertificateCache>()
            .Set("secure.test", OriginCertificate.CreateSelfSigned(["secure.test"], TimeProvider.System));
        using var client = EdgeClients.Create(HttpsEdge, onCertificate: _ => { });

        using var response = await client.GetAsync(new Uri("https://secure.test/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https", response.Headers.GetValues("X-Seen-Forwarded-Proto").Single());
    }

    [Fact]
    public async Task UnknownName_GetsTheFallbackCertificate_AndTheNotFoundPage()
    {
        X509Certificate2? served = null;
        using var client = EdgeClients.Create(HttpsEdge, onCertificate: certificate => served = certificate);

        using var response = await client.GetAsync(new Uri("https://unknown.test/"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No application at this name", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(served);
        Assert.Equal("CN=berth-fallback", served.Subject);
    }

    [Fact]
    public async Task BareAddressWithoutSni_GetsTheFallbackCertificate_AndTheNotFoundPage()
    {
        X509Certificate2? served = null;
        using var client = EdgeClients.Create(HttpsEdge, onCertificate: certificate => served = certificate);

        // An IP address in the URL: the client sends no SNI at all.
        using var response = await client.GetAsync(new Uri($"https://127.0.0.1:{HttpsEdge.Port}/"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No application at this name", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("CN=berth-fallback", served?.Subject);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task NameWithARouteButNoCertificate_GetsTheEdgesPage_NotTheApplication(string httpVersion)
    {
        var version = Version.Parse(httpVersion);
        Edge.Routes.Apply([new EdgeRoute("pending.test", A.Address, EdgeTlsMode.Acme, CertificateIssued: false)]);
        using var client = EdgeClients.Create(HttpsEdge, onCertificate: _ => { });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("https://pending.test/"))
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(version, response.Version);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
        Assert.Contains("No HTTPS certificate for this name yet", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("X-Backend"));
    }

    [Fact]
    public async Task HostsOwnFallbackCertificate_IsServedInsteadOfTheEdges()
    {
        var own = OriginCertificate.CreateSelfSigned(["own-fallback.test"], TimeProvider.System);
        Edge.Services.GetRequiredService<EdgeCertificateCache>().FallbackCertificate = own;
        X509Certificate2? served = null;
        using var client = EdgeClients.Create(HttpsEdge, onCertificate: certificate => served = certificate);

        using var response = await client.GetAsync(new Uri("https://unknown.test/"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("CN=own-fallback.test", served?.Subject);
    }
}
