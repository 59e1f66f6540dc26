using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.Proxy.Tests;

/// <summary>
/// A route that requires a client certificate (how Berth serves Cloudflare's Authenticated Origin
/// Pulls): 127.0.0.2 plays Cloudflare, and only a TLS connection presenting a certificate issued by the
/// configured authority is served. Being inside the ranges is not enough: any Cloudflare customer is.
/// </summary>
public sealed class ClientCertificateRoutesTests : EdgeTestBase
{
    private const string Host = "pulls.test";

    private static readonly IPAddress CloudflarePeer = IPAddress.Parse("127.0.0.2");
    private static readonly TestAuthority Configured = TestAuthority.Create("CN=Configured Origin Pull CA");
    private static readonly TestAuthority Other = TestAuthority.Create("CN=Some Other CA");

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task CertificateFromTheConfiguredAuthority_IsServed(string version)
    {
        using var certificate = Configured.Issue("CN=origin-pull.example");
        using var client = Client(certificate);

        using var response = await client.SendAsync(Get(version));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Version.Parse(version), response.Version);
        Assert.Equal("backend-a", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, A.Requests);
    }

    [Fact]
    public async Task NoClientCertificate_IsRefused_AndTheOriginSeesNothing()
    {
        using var client = Client(certificate: null);

        await AssertRefusedAsync(client);
    }

    [Fact]
    public async Task CertificateFromAnotherAuthority_IsRefused_AndTheOriginSeesNothing()
    {
        using var certificate = Other.Issue("CN=origin-pull.example");
        using var client = Client(certificate);

        await AssertRefusedAsync(client);
    }

    [Fact]
    public async Task SelfSignedCertificateWithTheAuthoritysName_IsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Configured Origin Pull CA", key, HashAlgorithmName.SHA256);
        using var impostor = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(30));
        using var client = Client(impostor);

        await AssertRefusedAsync(client);
    }

    [Fact]
    public async Task PlainHttp_ToTheRoute_GetsForbidden()
    {
        ApplyRoutes();
        using var client = EdgeClients.Create(HttpEdge, CloudflarePeer);

        using var response = await client.GetAsync(new Uri($"http://{Host}/"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Backend"));
        Assert.Equal(0, A.Requests);
    }

    [Fact]
    public async Task ValidCertificate_FromOutsideTheCloudflareRanges_GetsForbidden()
    {
        using var certificate = Configured.Issue("CN=origin-pull.example");
        using var client = Client(certificate, IPAddress.Loopback);

        using var response = await client.GetAsync(new Uri($"https://{Host}/"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, A.Requests);
    }

    [Fact]
    public async Task OtherRoutes_AskForNoCertificate()
    {
        Edge.Services.GetRequiredService<EdgeCertificateCache>().Set("a.test", OriginCertificate.CreateSelfSigned(["a.test"], TimeProvider.System));
        using var client = Client(certificate: null);

        using var response = await client.GetAsync(new Uri("https://a.test/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void Validate_WithoutConfiguredAuthorities_RefusesEveryCertificate()
    {
        var validator = new ClientCertificateValidator(Options.Create(new EdgeOptions()), NullLogger<ClientCertificateValidator>.Instance);
        using var certificate = Configured.Issue("CN=origin-pull.example");

        Assert.False(validator.Validate(certificate, null, Host));
    }

    [Fact]
    public void Validate_CertificateWithoutClientAuthentication_IsRefused()
    {
        var options = new EdgeOptions();
        options.ClientCertificateAuthorities.Add(Configured.Certificate);
        var validator = new ClientCertificateValidator(Options.Create(options), NullLogger<ClientCertificateValidator>.Instance);
        using var serverOnly = Configured.Issue("CN=origin-pull.example", "1.3.6.1.5.5.7.3.1");
        using var client = Configured.Issue("CN=origin-pull.example");

        Assert.False(validator.Validate(serverOnly, null, Host));
        Assert.True(validator.Validate(client, null, Host));
    }

    internal override void ConfigureEdge(EdgeOptions options)
    {
        options.CloudflareRanges.Add("127.0.0.2/32");
        // The public part only, as an operator's bundle file holds it.
        options.ClientCertificateAuthorities.Add(X509CertificateLoader.LoadCertificate(Configured.Certificate.RawData));
    }

    private async Task AssertRefusedAsync(HttpClient client)
    {
        // TLS 1.3 lets the client finish its side of the handshake before the edge judges the
        // certificate, so the refusal shows as a failed request rather than as a failed connect.
        HttpResponseMessage? response = null;
        try
        {
            response = await client.GetAsync(new Uri($"https://{Host}/"));
        }
        catch (HttpRequestException)
        {
        }

        using (response)
        {
            Assert.True(response is null || response.StatusCode == HttpStatusCode.Forbidden, $"served: {response?.StatusCode}");
        }

        Assert.Equal(0, A.Requests);
    }

    private void ApplyRoutes() => Edge.Routes.Apply(
    [
        new EdgeRoute(Host, A.Address, EdgeTlsMode.CloudflareOrigin, RequireClientCertificate: true),
        new EdgeRoute("a.test", A.Address),
    ]);

    private HttpClient Client(X509Certificate2? certificate, IPAddress? source = null)
    {
        ApplyRoutes();
        Edge.Services.GetRequiredService<EdgeCertificateCache>().Set(Host, OriginCertificate.CreateSelfSigned([Host], TimeProvider.System));
        var handler = EdgeClients.CreateHandler(HttpsEdge, source ?? CloudflarePeer, onCertificate: _ => { });
        // Offered whatever authorities the edge names, as Cloudflare does.
        handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate!;
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    }

    private static HttpRequestMessage Get(string version) => new(HttpMethod.Get, new Uri($"https://{Host}/"))
    {
        Version = Version.Parse(version),
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>A CA made for the test (ECDSA P-256), and client certificates it issues.</summary>
    private sealed class TestAuthority
    {
        private TestAuthority(X509Certificate2 certificate) => Certificate = certificate;

        public X509Certificate2 Certificate { get; }

        public static TestAuthority Create(string subject)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            return new TestAuthority(request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddYears(1)));
        }

        public X509Certificate2 Issue(string subject, string usage = "1.3.6.1.5.5.7.3.2")
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
            using var issued = request.Create(Certificate, TimeProvider.System.GetUtcNow().AddHours(-1), TimeProvider.System.GetUtcNow().AddDays(30), RandomNumberGenerator.GetBytes(8));
            return issued.CopyWithPrivateKey(key);
        }
    }
}
