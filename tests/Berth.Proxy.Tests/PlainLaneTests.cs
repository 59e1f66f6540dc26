using System.Net;
using System.Net.Sockets;
using System.Text;
using Berth.Proxy.Lane;
using Berth.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests;

/// <summary>
/// The plain lane on the HTTP listeners: which requests it forwards itself, which it leaves to Kestrel
/// (with the same answer the general path gives), a connection going from one to the other, its own
/// keep-alive timeout, and the switch that turns it off.
/// </summary>
public sealed class PlainLaneTests : EdgeTestBase
{
    private PlainLane Lane => Edge.Services.GetRequiredService<PlainLane>();

    internal override void ConfigureEdge(EdgeOptions options) => options.KeepAliveTimeout = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", "backend-a")]
    [InlineData("GET /?q=1 HTTP/1.1\r\nHost: B.TEST:8080\r\nConnection: close\r\n\r\n", "backend-b")]
    [InlineData("GET / HTTP/1.1\r\nhost: a.test.\r\nConnection: close\r\nAccept: */*\r\n\r\n", "backend-a")]
    public async Task PlainGet_IsForwardedByTheLane(string request, string backend)
    {
        var response = await EdgeClients.SendRawAsync(HttpEdge, request);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.Contains($"\r\nX-Backend: {backend}\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith($"\r\n9\r\n{backend}\r\n0\r\n\r\n", response, StringComparison.Ordinal);
        Assert.Equal((1, 0), (Lane.Forwarded, Lane.HandedOver));
    }

    [Fact]
    public async Task PlainHead_IsForwardedByTheLane_WithoutABody()
    {
        var response = await EdgeClients.SendRawAsync(HttpEdge, "HEAD / HTTP/1.1\r\nHost: b.test\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Backend: backend-b\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", response, StringComparison.Ordinal);
        Assert.Equal((1, 0), (Lane.Forwarded, Lane.HandedOver));
    }

    [Fact]
    public async Task ForwardingHeaders_AreTheEdgesOwn()
    {
        var response = await EdgeClients.SendRawAsync(
            HttpEdge,
            "GET / HTTP/1.1\r\nHost: a.test:81\r\nX-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: b.test\r\nCF-Connecting-IP: 203.0.113.9\r\nConnection: close\r\n\r\n");

        Assert.Contains("\r\nX-Seen-Host: a.test:81\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Seen-Forwarded-For: 127.0.0.1\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Seen-Forwarded-Proto: http\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Seen-Forwarded-Host: a.test:81\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Seen-CF-Connecting-IP: \r\n", response, StringComparison.Ordinal);
        Assert.Equal(1, Lane.Forwarded);
    }

    [Theory]
    [InlineData("POST /echo HTTP/1.1\r\nHost: a.test\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi", "200")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n", "200")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\nConnection: close\r\n\r\n", "400")]
    [InlineData("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "400")]
    [InlineData("GET / HTTP/1.1\r\nHost: unknown.test\r\nConnection: close\r\n\r\n", "404")]
    [InlineData("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", "404")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test:99999\r\nConnection: close\r\n\r\n", null)]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test@b.test\r\nConnection: close\r\n\r\n", "400")]
    [InlineData("GET http://b.test/ HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", "400")]
    [InlineData("GET /a b HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", "400")]
    [InlineData("GET / HTTP/1.0\r\nHost: a.test\r\n\r\n", "200")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close, x-option\r\n\r\n", "200")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", null)]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", null)]
    [InlineData("GET /.well-known/acme-challenge/token HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", null)]
    [InlineData("GET /%2E/x HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", null)]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nX-Control: a\u0001b\r\nConnection: close\r\n\r\n", null)]
    public async Task AnythingElse_IsLeftToKestrel(string request, string? expectedStatus)
    {
        var response = await SendAndReadAsync(request);

        if (expectedStatus is not null)
        {
            Assert.StartsWith($"HTTP/1.1 {expectedStatus} ", response, StringComparison.Ordinal);
        }

        Assert.Equal((0, 1), (Lane.Forwarded, Lane.HandedOver));
    }

    [Fact]
    public async Task OneConnection_GoesFromTheLaneToKestrel_AtARequestBoundary()
    {
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"
            + "POST /echo HTTP/1.1\r\nHost: b.test\r\nContent-Length: 5\r\n\r\nhello"
            + "GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"));

        var answer = await EdgeClients.ReadToEndAsync(socket);

        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(answer, "^HTTP/1.1 200 OK", System.Text.RegularExpressions.RegexOptions.Multiline));
        var backends = System.Text.RegularExpressions.Regex.Matches(answer, "X-Backend: (backend-[ab])").Select(match => match.Groups[1].Value);
        Assert.Equal(["backend-a", "backend-b", "backend-a"], backends);
        Assert.Contains("hello", answer, StringComparison.Ordinal);
        Assert.Equal((1, 1), (Lane.Forwarded, Lane.HandedOver));
    }

    [Fact]
    public async Task OriginFailure_GetsThePage_AndTheConnectionServesTheNextRequest()
    {
        await using var origin = new ScriptedOrigin(_ => "HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 2\r\n\r\nok", closeAfterAnswer: true);
        Edge.Routes.Apply(
        [
            new EdgeRoute("a.test", A.Address),
            new EdgeRoute("scripted.test", origin.Address),
        ]);
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            "GET / HTTP/1.1\r\nHost: scripted.test\r\n\r\nGET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"));

        var answer = await EdgeClients.ReadToEndAsync(socket);

        Assert.StartsWith("HTTP/1.1 502 Bad Gateway\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("The application is not answering", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("Bad Name", answer, StringComparison.Ordinal);
        Assert.EndsWith("\r\n9\r\nbackend-a\r\n0\r\n\r\n", answer, StringComparison.Ordinal);
        Assert.Equal((2, 0), (Lane.Forwarded, Lane.HandedOver));
    }

    [Fact]
    public async Task OriginReasonPhraseWithControlCharacters_GetsTheBadGatewayPage()
    {
        await using var origin = new ScriptedOrigin(_ => "HTTP/1.1 200 O\u0001K\r\nContent-Length: 2\r\n\r\nok", closeAfterAnswer: true);
        Edge.Routes.Apply([new EdgeRoute("scripted.test", origin.Address)]);

        var response = await EdgeClients.SendRawAsync(HttpEdge, "GET / HTTP/1.1\r\nHost: scripted.test\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 502 Bad Gateway\r\n", response, StringComparison.Ordinal);
        Assert.Equal(1, Lane.Forwarded);
    }

    [Fact]
    public async Task HeadArrivingInPieces_LongerThanABufferBlock_IsForwardedWhole()
    {
        await using var origin = new ScriptedOrigin(_ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        Edge.Routes.Apply([new EdgeRoute("scripted.test", origin.Address)]);
        var cookie = new string('c', 6000);
        var head = Encoding.ASCII.GetBytes($"GET /long HTTP/1.1\r\nHost: scripted.test\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n");
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);

        // Three sends: the head spans more than one of the pipe's 4 KB blocks and arrives incomplete twice.
        await socket.SendAsync(head.AsMemory(0, 30));
        await Task.Delay(50);
        await socket.SendAsync(head.AsMemory(30, 4500));
        await Task.Delay(50);
        await socket.SendAsync(head.AsMemory(4530));
        var answer = await EdgeClients.ReadToEndAsync(socket);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nok", answer, StringComparison.Ordinal);
        Assert.True(origin.Requests.TryPeek(out var seen));
        Assert.StartsWith("GET /long HTTP/1.1\r\nHost: scripted.test\r\n", seen, StringComparison.Ordinal);
        Assert.Contains($"\r\nCookie: {cookie}\r\n", seen, StringComparison.Ordinal);
        Assert.Equal((1, 0), (Lane.Forwarded, Lane.HandedOver));
    }

    [Fact]
    public async Task IdleConnection_IsClosedAfterTheKeepAliveTimeout()
    {
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"u8.ToArray());

        // Answered, then nothing: the edge ends the connection (1 s keep-alive, swept once a second).
        var answer = await EdgeClients.ReadToEndAsync(socket);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
        Assert.EndsWith("\r\n9\r\nbackend-a\r\n0\r\n\r\n", answer, StringComparison.Ordinal);
        Assert.Equal((1, 0), (Lane.Forwarded, Lane.HandedOver));
    }

    [Fact]
    public async Task StoppingTheEdge_EndsConnectionsWaitingForTheirNextRequest()
    {
        var edge = await EdgeHost.StartAsync(options =>
        {
            options.HttpUrls.Clear();
            options.HttpUrls.Add("http://127.0.0.1:0");
            options.HttpsUrls.Clear();
        });
        var lane = edge.Services.GetRequiredService<PlainLane>();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            edge.Routes.Apply([new EdgeRoute("a.test", A.Address)]);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, edge.HttpAddresses[0].Port));
            await socket.SendAsync("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"u8.ToArray());
            var buffer = new byte[16 * 1024];
            var received = 0;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            while (!Encoding.ASCII.GetString(buffer, 0, received).EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
            {
                received += await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token);
            }
        }
        catch
        {
            await edge.DisposeAsync();
            throw;
        }

        // Kept alive and idle on the lane when the edge stops: the connection ends at once, instead of
        // holding the stop until the host's shutdown timeout (30 s) has Kestrel abort it.
        await edge.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var rest = await EdgeClients.ReadToEndAsync(socket);

        Assert.Equal(string.Empty, rest);
        Assert.Equal(1, lane.Forwarded);
    }

    private async Task<string> SendAndReadAsync(string request)
    {
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        return await EdgeClients.ReadToEndAsync(socket);
    }


}

/// <summary>With the lane switched off, every request goes through Kestrel.</summary>
public sealed class PlainLaneSwitchedOffTests : EdgeTestBase
{
    internal override void ConfigureEdge(EdgeOptions options) => options.PlainLane = false;

    [Fact]
    public async Task PlainGet_IsServedByKestrel()
    {
        using var client = Client();

        Assert.Equal("backend-a", await client.GetStringAsync(new Uri("http://a.test/")));
        Assert.Equal(0, Edge.Services.GetRequiredService<PlainLane>().Forwarded);
    }
}
