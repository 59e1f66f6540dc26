using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Berth.Proxy.Tests.Infrastructure;

namespace Berth.Proxy.Tests;

/// <summary>
/// The edge's own HTTP/1.1 path to origins: framing both ways, keep-alive reuse and its limits, and
/// origins that break the protocol (a tenant's program may send anything). Plain requests here take the
/// plain lane; <see cref="OriginForwardingThroughKestrelTests"/> runs the same through Kestrel.
/// </summary>
public class OriginForwardingTests : EdgeTestBase
{
    private const string NotAnswering = "The application is not answering";

    [Fact]
    public async Task ChunkedResponse_IsDecodedAndTrailersAreDropped()
    {
        await using var origin = new ScriptedOrigin(_ =>
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
        using var client = Route(origin);

        using var response = await client.GetAsync(new Uri("http://scripted.test/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello world", await response.Content.ReadAsStringAsync());
        Assert.Equal("chunked", response.Headers.GetValues("X-Kind").Single());
        Assert.False(response.TrailingHeaders.Contains("X-Trailer"));
    }

    [Fact]
    public async Task ResponseWithoutLength_EndsWhenTheOriginCloses_AndItsConnectionIsNotReused()
    {
        await using var origin = new ScriptedOrigin(n => $"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nanswer {n}", closeAfterAnswer: true);
        using var client = Route(origin);

        var first = await client.GetStringAsync(new Uri("http://scripted.test/"));
        var second = await client.GetStringAsync(new Uri("http://scripted.test/"));

        Assert.Equal("answer 1", first);
        Assert.Equal("answer 2", second);
        Assert.Equal(2, origin.Connections);
    }

    [Fact]
    public async Task KeptAliveConnection_IsReusedForTheNextRequests()
    {
        await using var origin = new ScriptedOrigin(n => $"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n{n % 10}");
        using var client = Route(origin);

        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal($"{i}", await client.GetStringAsync(new Uri("http://scripted.test/")));
        }

        Assert.Equal(1, origin.Connections);
    }

    [Fact]
    public async Task OriginClosingAnIdleConnection_IsRetriedOnANewOneForARequestWithoutBody()
    {
        // The origin answers with keep-alive but closes right after: the edge's pooled connection is dead
        // when the next request takes it.
        await using var origin = new ScriptedOrigin(n => $"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n{n}", closeAfterAnswer: true);
        using var client = Route(origin);

        Assert.Equal("1", await client.GetStringAsync(new Uri("http://scripted.test/")));
        await Task.Delay(200);
        Assert.Equal("2", await client.GetStringAsync(new Uri("http://scripted.test/")));
        Assert.Equal(2, origin.Connections);
    }

    [Fact]
    public async Task InterimResponses_AreReadPast()
    {
        await using var origin = new ScriptedOrigin(_ =>
            "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var client = Route(origin);

        using var response = await client.GetAsync(new Uri("http://scripted.test/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HopByHopHeaders_StayOnTheirHop()
    {
        await using var origin = new ScriptedOrigin(_ =>
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=5\r\nUpgrade: h2c\r\nProxy-Connection: keep-alive\r\nX-End-To-End: yes\r\n\r\nok");
        using var client = Route(origin);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://scripted.test/path?q=1"));
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=9");
        request.Headers.TryAddWithoutValidation("Proxy-Connection", "keep-alive");
        request.Headers.TryAddWithoutValidation("X-Custom", "kept");

        using var response = await client.SendAsync(request);

        Assert.Equal("yes", response.Headers.GetValues("X-End-To-End").Single());
        Assert.False(response.Headers.Contains("Keep-Alive"));
        Assert.False(response.Headers.Contains("Upgrade"));
        Assert.False(response.Headers.Contains("Proxy-Connection"));
        Assert.True(origin.Requests.TryPeek(out var seen));
        Assert.StartsWith("GET /path?q=1 HTTP/1.1\r\nHost: scripted.test\r\n", seen, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Custom: kept\r\n", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("Keep-Alive", seen, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Proxy-Connection", seen, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nX-Forwarded-Proto: http\r\n", seen, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\r\nX-Control: a\u0001b\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\r\nX-Null: a\0b\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("ICY 200 OK\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n")]
    public async Task MalformedResponseHead_GetsTheBadGatewayPage(string answer)
    {
        await using var origin = new ScriptedOrigin(_ => answer, closeAfterAnswer: true);
        using var client = Route(origin);

        using var response = await client.GetAsync(new Uri("http://scripted.test/"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains(NotAnswering, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("X-Folded"));
    }

    [Fact]
    public async Task ResponseHeadWithBareLineFeeds_IsPassedOn()
    {
        // Every line end grows by a byte on its way to the client (CRLF): many short lines must still fit.
        var lines = string.Concat(Enumerable.Range(0, 2000).Select(i => $"x{i}:v\n"));
        await using var origin = new ScriptedOrigin(_ => $"HTTP/1.1 200 OK\n{lines}Content-Length: 2\n\nok");
        using var client = Route(origin);

        using var response = await client.GetAsync(new Uri("http://scripted.test/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal("v", response.Headers.GetValues("x1999").Single());
    }

    [Fact]
    public async Task OversizedResponseHead_GetsTheBadGatewayPage()
    {
        var huge = new string('a', 70 * 1024);
        await using var origin = new ScriptedOrigin(_ => $"HTTP/1.1 200 OK\r\nX-Huge: {huge}\r\nContent-Length: 2\r\n\r\nok");
        using var client = Route(origin);

        using var response = await client.GetAsync(new Uri("http://scripted.test/"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")]
    public async Task BrokenBody_EndsTheClientsResponseInsteadOfCompletingIt(string answer)
    {
        await using var origin = new ScriptedOrigin(_ => answer, closeAfterAnswer: true);
        using var client = Route(origin);

        // The head is on its way when the body turns out broken: the client must see a failed transfer,
        // never a complete-looking short answer.
        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            using var response = await client.GetAsync(new Uri("http://scripted.test/"));
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsStringAsync();
        });
    }

    [Fact]
    public async Task SilentOrigin_GetsTheGatewayTimeoutPage()
    {
        await using var origin = new ScriptedOrigin(_ => null);
        await using var edge = await EdgeHost.StartAsync(options =>
        {
            options.HttpUrls.Clear();
            options.HttpUrls.Add("http://127.0.0.1:0");
            options.HttpsUrls.Clear();
            options.ActivityTimeout = TimeSpan.FromSeconds(1);
            ConfigureEdge(options);
        });
        edge.Routes.Apply([new EdgeRoute("silent.test", origin.Address)]);
        using var client = EdgeClients.Create(edge.HttpAddresses[0]);

        using var response = await client.GetAsync(new Uri("http://silent.test/"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("took too long", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestBodyWithLength_ReachesTheOriginWhole()
    {
        using var client = Client();
        var body = new string('x', 300_000);

        using var response = await client.PostAsync(new Uri("http://a.test/echo"), new StringContent(body, Encoding.ASCII));

        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.Equal("300000", response.Headers.GetValues("X-Seen-Content-Length").Single());
    }

    [Fact]
    public async Task RequestBodyWithoutLength_IsSentChunked()
    {
        using var client = Client();
        using var content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes("streamed body")));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("http://a.test/echo")) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal("streamed body", await response.Content.ReadAsStringAsync());
        Assert.Equal("chunked", response.Headers.GetValues("X-Seen-Transfer-Encoding").Single());
    }

    [Fact]
    public async Task EmptyPost_TellsTheOriginItsLength()
    {
        await using var origin = new ScriptedOrigin(_ => "HTTP/1.1 204 No Content\r\n\r\n");
        using var client = Route(origin);

        using var response = await client.PostAsync(new Uri("http://scripted.test/"), content: null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(origin.Requests.TryPeek(out var seen));
        Assert.Contains("\r\nContent-Length: 0\r\n", seen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeadRequest_GetsTheLengthWithoutABody()
    {
        await using var origin = new ScriptedOrigin(_ => "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
        using var client = Route(origin);

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("http://scripted.test/")));
        using var again = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("http://scripted.test/")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1234, response.Content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        // An origin that announces a body to a HEAD may send one: its connection is not reused (E2).
        Assert.Equal(2, origin.Connections);
    }
}

/// <summary>The same origins with the plain lane off: every request through Kestrel and the general path's forwarder.</summary>
public sealed class OriginForwardingThroughKestrelTests : OriginForwardingTests
{
    internal override void ConfigureEdge(EdgeOptions options) => options.PlainLane = false;
}
