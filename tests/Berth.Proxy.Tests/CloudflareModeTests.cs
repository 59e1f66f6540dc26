using System.Net;
using Berth.Proxy.Tests.Infrastructure;

namespace Berth.Proxy.Tests;

/// <summary>127.0.0.2 plays Cloudflare (the configured range), 127.0.0.1 plays everyone else.</summary>
public sealed class CloudflareModeTests : EdgeTestBase
{
    private static readonly IPAddress CloudflarePeer = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress OtherPeer = IPAddress.Parse("127.0.0.1");

    [Fact]
    public async Task PeerInsideTheRanges_IsServed_AndTheClientAddressComesFromCfConnectingIp()
    {
        using var client = EdgeClients.Create(HttpEdge, CloudflarePeer);

        using var response = await SendAsync(client, "cf.test", "203.0.113.9");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backend-a", await response.Content.ReadAsStringAsync());
        Assert.Equal("203.0.113.9", response.Headers.GetValues("X-Seen-Forwarded-For").Single());
        Assert.Equal("203.0.113.9", response.Headers.GetValues("X-Seen-CF-Connecting-IP").Single());
    }

    [Fact]
    public async Task PeerOutsideTheRanges_GetsForbidden()
    {
        using var client = EdgeClients.Create(HttpEdge, OtherPeer);

        using var response = await SendAsync(client, "cf.test", "203.0.113.9");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Backend"));
    }

    [Fact]
    public async Task CfConnectingIp_FromOutsideTheRanges_IsIgnoredAndRemoved()
    {
        using var client = EdgeClients.Create(HttpEdge, OtherPeer);

        using var response = await SendAsync(client, "b.test", "203.0.113.9");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("127.0.0.1", response.Headers.GetValues("X-Seen-Forwarded-For").Single());
        Assert.Equal(string.Empty, response.Headers.GetValues("X-Seen-CF-Connecting-IP").Single());
    }

    [Fact]
    public async Task MissingOrInvalidCfConnectingIp_FallsBackToThePeerAddress()
    {
        using var client = EdgeClients.Create(HttpEdge, CloudflarePeer);

        using var response = await SendAsync(client, "cf.test", "not-an-address");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("127.0.0.2", response.Headers.GetValues("X-Seen-Forwarded-For").Single());
    }

    internal override void ConfigureEdge(EdgeOptions options) => options.CloudflareRanges.Add("127.0.0.2/32");

    private async Task<HttpResponseMessage> SendAsync(HttpClient client, string host, string connectingIp)
    {
        Edge.Routes.Apply([new EdgeRoute("cf.test", A.Address, EdgeTlsMode.CloudflareOrigin), new EdgeRoute("b.test", B.Address)]);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{host}/"));
        request.Headers.TryAddWithoutValidation("CF-Connecting-IP", connectingIp);
        return await client.SendAsync(request);
    }
}
