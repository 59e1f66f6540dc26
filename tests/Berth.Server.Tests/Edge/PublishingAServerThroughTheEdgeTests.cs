using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Edge;

/// <summary>A user's server published under a domain name through the edge of <c>berth serve</c>, on the real engine.</summary>
[Collection(SharedEngine.Name)]
public sealed class PublishingAServerThroughTheEdgeTests(EdgeFixture fixture) : IClassFixture<EdgeFixture>
{
    [Fact]
    public async Task ANewDomain_ServesTheServersPage()
    {
        await fixture.AddDomainAsync(fixture.AliceServer, "shop.alice.test");

        var response = await PollAsync("shop.alice.test", r => r.StatusCode == HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("alice's page", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADomainWithATargetPort_ReachesThatPortOfTheServer_AndFollowsItWhenEdited()
    {
        // A second app in Alice's server, beside the one on port 80: each gets its own name.
        await fixture.RunWebServerAsync(fixture.AliceServer, "alice's second app", port: 8080);
        var added = await fixture.Alice.PostAsJsonAsync($"/api/servers/{fixture.AliceServer}/domains", new { domainName = "second.alice.test", targetPort = 8080 });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var domain = await added.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(8080, domain.GetProperty("targetPort").GetInt32());

        var second = await PollAsync("second.alice.test", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Contains("alice's second app", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Back to port 80: the same name now reaches the first app.
        var edited = await fixture.Alice.PutAsJsonAsync($"/api/servers/{fixture.AliceServer}/domains/{domain.GetProperty("id").GetInt64()}", new { targetPort = 80 });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var first = await Poll.UntilAsync(
            async () => await (await fixture.GetThroughEdgeAsync("second.alice.test")).Content.ReadAsStringAsync(),
            body => body.Contains("alice's page", StringComparison.Ordinal),
            interval: TimeSpan.FromMilliseconds(50));
        Assert.DoesNotContain("second app", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownHost_GetsTheNoApplicationPage()
    {
        var response = await fixture.GetThroughEdgeAsync("nobody-here.test");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("text/html", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADomainOfAServerWithNothingOnPort80_GetsTheBadGatewayPage()
    {
        var empty = await Servers.ServersFixture.CreateRunningServerAsync(fixture.Bob, "bob empty");
        await fixture.AddDomainAsync(empty, "empty.bob.test");

        var response = await PollAsync("empty.bob.test", r => r.StatusCode != HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.DoesNotContain("page", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostHeaderAbuse_NeverReachesAnotherTenantsServer()
    {
        await fixture.AddDomainAsync(fixture.AliceServer, "www.alice.test");
        await fixture.AddDomainAsync(fixture.BobServer, "www.bob.test");
        var alice = await PollAsync("www.alice.test", r => r.StatusCode == HttpStatusCode.OK);
        var bob = await PollAsync("www.bob.test", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Contains("alice's page", await alice.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("bob's page", await bob.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Case and port do not change whose server answers.
        var upper = await fixture.GetThroughEdgeAsync("WWW.ALICE.TEST:8081");
        Assert.Contains("alice's page", await upper.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var abuses = new[]
        {
            "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", // missing Host
            "GET / HTTP/1.1\r\nHost: www.alice.test\r\nHost: www.bob.test\r\nConnection: close\r\n\r\n", // duplicate Host
            "GET http://www.bob.test/ HTTP/1.1\r\nHost: www.alice.test\r\nConnection: close\r\n\r\n", // absolute form disagreeing with Host
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", // IP literal
            "GET / HTTP/1.1\r\nHost: www.bob.test.evil.test\r\nConnection: close\r\n\r\n", // unknown suffix
            "GET / HTTP/1.1\r\nHost: www.alice.test@www.bob.test\r\nConnection: close\r\n\r\n", // userinfo trick
            "GET / HTTP/1.0\r\n\r\n", // HTTP/1.0 without Host
        };
        foreach (var abuse in abuses)
        {
            var answer = await fixture.SendRawAsync(abuse);
            Assert.DoesNotContain("bob's page", answer, StringComparison.Ordinal);
            Assert.DoesNotContain("alice's page", answer, StringComparison.Ordinal);
            Assert.Matches("^HTTP/1\\.[01] (400|404) ", answer);
        }
    }

    [Fact]
    public async Task CloudflareMode_ServesOnlyPeersInTheConfiguredRanges()
    {
        await fixture.AddDomainAsync(fixture.BobServer, "cf.bob.test", ssl: true, isCloudflare: true);
        var allowed = await PollAsync("cf.bob.test", r => r.StatusCode == HttpStatusCode.OK, IPAddress.Parse("127.0.0.2"));
        Assert.Contains("bob's page", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var refused = await fixture.GetThroughEdgeAsync("cf.bob.test", IPAddress.Parse("127.0.0.3"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain("bob's page", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OriginPulls_ServeOnlyConnectionsPresentingACertificateFromTheOperatorsCa()
    {
        var cloudflare = IPAddress.Parse("127.0.0.2");
        await fixture.AddDomainAsync(fixture.BobServer, "pulls.bob.test", isCloudflare: true, originPulls: true);
        using var certificate = fixture.IssueOriginPullCertificate();

        // The route and its origin certificate appear with the next pass; until then the handshake fails.
        var served = await Poll.UntilAsync<HttpResponseMessage, HttpRequestException>(
            () => fixture.GetThroughEdgeHttpsAsync("pulls.bob.test", certificate, cloudflare), r => r.StatusCode == HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("bob's page", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Inside Cloudflare's ranges is not enough: without the certificate, nothing of Bob's page.
        try
        {
            using var refused = await fixture.GetThroughEdgeHttpsAsync("pulls.bob.test", null, cloudflare);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        catch (HttpRequestException)
        {
            // The handshake failed: refused before any request.
        }

        var plain = await fixture.GetThroughEdgeAsync("pulls.bob.test", cloudflare);
        Assert.Equal(HttpStatusCode.Forbidden, plain.StatusCode);
        Assert.DoesNotContain("bob's page", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ReportsTheEdgeListeners()
    {
        using var client = fixture.Host.CreateClient();
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        var edge = health.GetProperty("edge");

        Assert.Equal("listening", edge.GetProperty("status").GetString());
        Assert.Equal(fixture.EdgeHttp.ToString(), edge.GetProperty("http")[0].GetString());
        Assert.Equal(1, edge.GetProperty("https").GetArrayLength());
    }

    private Task<HttpResponseMessage> PollAsync(string host, Func<HttpResponseMessage, bool> done, IPAddress? source = null) =>
        Poll.UntilAsync(() => fixture.GetThroughEdgeAsync(host, source), done, interval: TimeSpan.FromMilliseconds(50));
}
