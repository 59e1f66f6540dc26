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
    public async Task NameWithoutCertificate_IsRefusedAtTheHandshake()
    {
        using var client = EdgeClients.Create(HttpsEdge, onCertificate: _ => { });

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("https://a.test/")));
    }
}
