using System.Net;
using System.Net.Sockets;
using Berth.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests;

public sealed class RoutingByHostTests : EdgeTestBase
{
    private readonly ChallengeBook _challenges = new();

    [Theory]
    [InlineData("a.test", "backend-a")]
    [InlineData("b.test", "backend-b")]
    [InlineData("A.TEST", "backend-a")]
    [InlineData("b.test:8080", "backend-b")]
    [InlineData("B.Test.", "backend-b")]
    public async Task Request_GoesToTheOriginOfItsHost(string host, string expected)
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(HttpEdge, "/hello?x=1"));
        request.Headers.Host = host;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
        Assert.Equal(host, response.Headers.GetValues("X-Seen-Host").Single());
    }

    [Fact]
    public async Task UnknownHost_GetsTheNeutralNotFoundPage()
    {
        using var client = Client();

        using var response = await client.GetAsync(new Uri("http://nothing-here.test/"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("No application at this name", page, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing-here", page, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("X-Backend"));
    }

    [Fact]
    public async Task OriginNotListening_GetsTheBadGatewayPage()
    {
        var closedPort = ClosedPort();
        Edge.Routes.Apply([new EdgeRoute("dead.test", new Uri($"http://127.0.0.1:{closedPort}/"))]);
        using var client = Client();

        using var response = await client.GetAsync(new Uri("http://dead.test/"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("The application is not answering", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForwardingHeaders_AreSetByTheEdgeAndNotTakenFromTheClient()
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://a.test:8080/"));
        request.Headers.Add("X-Forwarded-For", "203.0.113.66");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "b.test");
        request.Headers.Add("CF-Connecting-IP", "203.0.113.67");

        using var response = await client.SendAsync(request);

        Assert.Equal("backend-a", await response.Content.ReadAsStringAsync());
        Assert.Equal("127.0.0.1", response.Headers.GetValues("X-Seen-Forwarded-For").Single());
        Assert.Equal("http", response.Headers.GetValues("X-Seen-Forwarded-Proto").Single());
        Assert.Equal("a.test:8080", response.Headers.GetValues("X-Seen-Forwarded-Host").Single());
        Assert.Equal("a.test:8080", response.Headers.GetValues("X-Seen-Host").Single());
        Assert.Equal(string.Empty, response.Headers.GetValues("X-Seen-CF-Connecting-IP").Single());
    }

    [Fact]
    public async Task TenThousandRoutes_ApplyUnderASecondAndEachHostFindsItsOrigin()
    {
        var routes = Enumerable.Range(0, 10_000)
            .Select(i => new EdgeRoute($"app-{i}.test", i % 2 == 0 ? A.Address : B.Address))
            .ToArray();
        var started = TimeProvider.System.GetTimestamp();

        Edge.Routes.Apply(routes);

        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(1));
        Assert.Equal(10_000, Edge.Routes.Count);
        using var client = Client();
        foreach (var (i, expected) in new[] { (0, "backend-a"), (4_999, "backend-b"), (9_998, "backend-a"), (9_999, "backend-b") })
        {
            Assert.Equal(expected, await client.GetStringAsync(new Uri($"http://APP-{i}.test/")));
        }

        using var missing = await client.GetAsync(new Uri("http://app-10000.test/"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task IssuedCertificate_RedirectsPlainHttpToHttps()
    {
        Edge.Routes.Apply(
        [
            new EdgeRoute("secure.test", A.Address, EdgeTlsMode.Acme, CertificateIssued: true),
            new EdgeRoute("pending.test", A.Address, EdgeTlsMode.Acme, CertificateIssued: false),
        ]);
        using var client = Client();

        using var redirected = await client.GetAsync(new Uri("http://secure.test:8080/path/x?q=1"));
        using var pending = await client.GetAsync(new Uri("http://pending.test/"));

        Assert.Equal(HttpStatusCode.PermanentRedirect, redirected.StatusCode);
        Assert.Equal(new Uri("https://secure.test:8443/path/x?q=1"), redirected.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, pending.StatusCode);
        Assert.Equal("backend-a", await pending.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AcmeChallenge_IsAnsweredByTheHostsResponderOnAnyName()
    {
        _challenges.Add("new.test", "token-1", "token-1.thumbprint");
        using var client = Client();

        using var known = await client.GetAsync(new Uri("http://new.test/.well-known/acme-challenge/token-1"));
        using var otherHost = await client.GetAsync(new Uri("http://a.test/.well-known/acme-challenge/token-1"));
        using var unknown = await client.GetAsync(new Uri("http://new.test/.well-known/acme-challenge/token-2"));

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Equal("token-1.thumbprint", await known.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, otherHost.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    internal override void ConfigureEdge(EdgeOptions options) => options.HttpsRedirectPort = 8443;

    internal override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IAcmeChallengeResponder>(_challenges);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
