using System.Net;
using System.Net.Sockets;
using System.Text;
using Berth.Proxy.Tests.Infrastructure;
using Berth.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests;

/// <summary>
/// The edge's connection limits (E4): one client address holding many idle connections is cut at its own
/// limit while other clients are served; the edge-wide limit counts every listener together; request
/// bodies beyond the limit are refused before anything reaches the origin. Bounded: limits of 10 and 20.
/// </summary>
public sealed class EdgeLimitsTests : EdgeTestBase
{
    private static readonly IPAddress Hog = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.3");
    private static readonly IPAddress Late = IPAddress.Parse("127.0.0.4");

    private ConnectionLimits Limits => Edge.Services.GetRequiredService<ConnectionLimits>();

    internal override void ConfigureEdge(EdgeOptions options)
    {
        options.MaxConcurrentConnections = 20;
        options.MaxConnectionsPerClient = 10;
        options.MaxRequestBodySize = 1024 * 1024;
        // Long enough that no idle connection of these tests is cut by a timeout instead of a limit.
        options.RequestHeadersTimeout = TimeSpan.FromSeconds(60);
        options.TlsHandshakeTimeout = TimeSpan.FromSeconds(60);
    }

    [Fact]
    public async Task ManyIdleConnectionsFromOneClient_AreCutAtItsLimit_WhileAnotherClientIsServed()
    {
        Certificates();
        var hog = new List<Socket>();
        try
        {
            // 14 connections that never send a byte, to both listeners: 10 are let in, 4 closed at once.
            for (var i = 0; i < 14; i++)
            {
                hog.Add(await ConnectFromAsync(i % 2 == 0 ? HttpEdge : HttpsEdge, Hog));
            }

            await EventuallyAsync(() => Closed(hog) == 4, () => $"{Closed(hog)} of 14 closed, {Limits.Refused} refused");
            Assert.Equal(4, Limits.Refused);

            // Another client is served on both listeners while the first still holds its 10.
            using (var http = EdgeClients.Create(HttpEdge, Other))
            using (var https = EdgeClients.Create(HttpsEdge, Other, onCertificate: _ => { }))
            {
                for (var i = 0; i < 5; i++)
                {
                    Assert.Equal("backend-a", await http.GetStringAsync(new Uri("http://a.test/")));
                    Assert.Equal("backend-b", await https.GetStringAsync(new Uri("https://b.test/")));
                }
            }

            Assert.Equal(10, hog.Count - Closed(hog));
        }
        finally
        {
            hog.ForEach(socket => socket.Dispose());
        }
    }

    [Fact]
    public async Task ConnectionsBeyondTheEdgeWideLimit_AreClosed_CountingEveryListener_UntilOthersEnd()
    {
        Certificates();
        var first = new List<Socket>();
        var second = new List<Socket>();
        var late = new List<Socket>();
        try
        {
            // 10 on the HTTP listener and 10 on the HTTPS one: 20 in all, each client within its own limit.
            for (var i = 0; i < 10; i++)
            {
                first.Add(await ConnectFromAsync(HttpEdge, Hog));
                second.Add(await ConnectFromAsync(HttpsEdge, Other));
            }

            await EventuallyAsync(() => Limits.Open == 20, () => $"{Limits.Open} open");
            late.Add(await ConnectFromAsync(HttpEdge, Late));
            late.Add(await ConnectFromAsync(HttpsEdge, Late));

            await EventuallyAsync(() => Closed(late) == 2, () => $"{Closed(late)} of the 2 late ones closed");
            Assert.Equal(0, Closed(first) + Closed(second));

            // Once the first client leaves, the late one is served.
            first.ForEach(socket => socket.Dispose());
            await EventuallyAsync(() => Limits.Open <= 10, () => $"{Limits.Open} open");
            using var client = EdgeClients.Create(HttpEdge, Late);
            Assert.Equal("backend-a", await client.GetStringAsync(new Uri("http://a.test/")));
        }
        finally
        {
            first.Concat(second).Concat(late).ToList().ForEach(socket => socket.Dispose());
        }
    }

    [Fact]
    public async Task BodyAnnouncedLargerThanTheLimit_Gets413_AndReachesNoOrigin()
    {
        await using var origin = new ScriptedOrigin(_ => OriginCue.Ok("ok"));
        Edge.Routes.Apply([new EdgeRoute("a.test", A.Address), new EdgeRoute("scripted.test", origin.Address)]);
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /upload HTTP/1.1\r\nHost: scripted.test\r\nContent-Length: {2 * 1024 * 1024}\r\n\r\n" + new string('x', 1000)));

        var answer = await EdgeClients.ReadToEndAsync(socket);

        Assert.StartsWith("HTTP/1.1 413 ", answer, StringComparison.Ordinal);
        Assert.Equal(0, origin.Connections);
    }

    [Fact]
    public async Task ChunkedBodyGrowingPastTheLimit_Gets413()
    {
        using var client = Client();
        using var content = new StreamContent(new MemoryStream(new byte[(1024 * 1024) + (64 * 1024)]));

        // No Content-Length: the body arrives chunked and is cut where it passes the limit.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("http://a.test/echo")) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public void EdgeOptions_Defaults_BoundConnectionsAndBodiesForAHostingPlatform()
    {
        var options = new EdgeOptions();

        Assert.Equal(1024L * 1024 * 1024, options.MaxRequestBodySize);
        Assert.Equal(10_000, options.MaxConcurrentConnections);
        Assert.Equal(256, options.MaxConnectionsPerClient);
        Assert.Equal(512, options.MaxConnectionsPerOrigin);
        Assert.Equal(TimeSpan.FromSeconds(10), options.TlsHandshakeTimeout);
    }

    internal static async Task<Socket> ConnectFromAsync(Uri edge, IPAddress source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, edge.Port));
        return socket;
    }

    /// <summary>How many of <paramref name="sockets"/> the edge has closed (readable with nothing to read).</summary>
    internal static int Closed(IEnumerable<Socket> sockets) => sockets.Count(socket =>
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    });

    /// <summary>Waits for <paramref name="condition"/> (the one <see cref="Poll"/>, every 20 ms); fails with <paramref name="state"/>.</summary>
    internal static async Task EventuallyAsync(Func<bool> condition, Func<string> state) =>
        Assert.True(await Poll.UntilAsync(condition, interval: TimeSpan.FromMilliseconds(20)), state());

    private void Certificates()
    {
        var cache = Edge.Services.GetRequiredService<EdgeCertificateCache>();
        cache.Set("a.test", OriginCertificate.CreateSelfSigned(["a.test"], TimeProvider.System));
        cache.Set("b.test", OriginCertificate.CreateSelfSigned(["b.test"], TimeProvider.System));
    }
}
