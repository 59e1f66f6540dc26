using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Berth.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests;

/// <summary>
/// Timeouts that bound what a slow or silent client can hold (E4): a new connection that sends nothing
/// gets the headers timeout, not the keep-alive timeout, on both listeners; a client stalled in its TLS
/// handshake delays nobody and is cut after the handshake timeout; a request body trickled too slowly ends.
/// </summary>
public sealed class EdgeTimeoutsTests : EdgeTestBase
{
    internal override void ConfigureEdge(EdgeOptions options)
    {
        options.RequestHeadersTimeout = TimeSpan.FromSeconds(1);
        options.KeepAliveTimeout = TimeSpan.FromSeconds(60);
        options.TlsHandshakeTimeout = TimeSpan.FromSeconds(8);
    }

    [Fact]
    public async Task NewHttpConnectionSendingNothing_IsCutAfterTheHeadersTimeout_NotTheKeepAliveTimeout()
    {
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);

        // Within 15 s (ReadToEndAsync's bound), far below the 60 s keep-alive timeout.
        var answer = await EdgeClients.ReadToEndAsync(socket);

        Assert.Equal("", answer);
    }

    [Fact]
    public async Task NewHttpsConnectionSendingNothingAfterItsHandshake_IsCutAfterTheHeadersTimeout()
    {
        Certificates();
        using var socket = await EdgeClients.ConnectSocketAsync(HttpsEdge);
        await using var tls = await HandshakeAsync(socket, "a.test");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var read = await tls.ReadAsync(new byte[1024], timeout.Token);

        Assert.Equal(0, read);
    }

    [Fact]
    public async Task ConnectionWaitingForItsSecondRequest_IsKeptPastTheHeadersTimeout()
    {
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"u8.ToArray());
        Assert.EndsWith("backend-a\r\n0\r\n\r\n", await ReadAnswerAsync(socket), StringComparison.Ordinal);

        // Idle between two requests: the keep-alive timeout (60 s) applies, not the headers timeout (1 s).
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: b.test\r\n\r\n"u8.ToArray());

        Assert.EndsWith("backend-b\r\n0\r\n\r\n", await ReadAnswerAsync(socket), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientStallingInItsTlsHandshake_DelaysNoOtherClient_AndIsCutAfterTheHandshakeTimeout()
    {
        Certificates();

        // Two per I/O loop (connections are dealt to the loops in turn): the start of a ClientHello
        // record announcing 512 bytes, then nothing.
        var stallers = new List<Socket>();
        try
        {
            for (var i = 0; i < 2 * Environment.ProcessorCount; i++)
            {
                var socket = await EdgeClients.ConnectSocketAsync(HttpsEdge);
                await socket.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03 });
                stallers.Add(socket);
            }

            // Other clients, each with a handshake of its own, are all served meanwhile.
            var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
            {
                using var https = EdgeClients.Create(HttpsEdge, onCertificate: _ => { });
                using var http = EdgeClients.Create(HttpEdge);
                var host = i % 2 == 0 ? "a.test" : "b.test";
                return (await https.GetStringAsync(new Uri($"https://{host}/")), await http.GetStringAsync(new Uri($"http://{host}/")));
            }));

            Assert.All(answers, answer => Assert.Equal(answer.Item1, answer.Item2));
            Assert.Equal(0, EdgeLimitsTests.Closed(stallers));

            // Then each staller is cut (8 s handshake timeout, within ReadToEndAsync's 15 s).
            foreach (var staller in stallers)
            {
                Assert.Equal("", await EdgeClients.ReadToEndAsync(staller));
            }
        }
        finally
        {
            stallers.ForEach(socket => socket.Dispose());
        }
    }

    [Fact]
    public async Task RequestBodyTrickledBelowTheMinimumRate_IsCut()
    {
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /echo HTTP/1.1\r\nHost: a.test\r\nContent-Length: 100000\r\n\r\n" + new string('x', 100)));

        // Kestrel's minimum body rate (240 bytes/s after a 5 s grace) ends it, within ReadToEndAsync's 15 s.
        var answer = await EdgeClients.ReadToEndAsync(socket);

        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408 ", StringComparison.Ordinal), answer);
    }

    private static async Task<SslStream> HandshakeAsync(Socket socket, string host)
    {
        var tls = new SslStream(new NetworkStream(socket), leaveInnerStreamOpen: false);
        // Self-signed on purpose: the test checks the connection's lifetime, not its trust.
#pragma warning disable CA5359
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
#pragma warning restore CA5359
        return tls;
    }

    /// <summary>One chunked answer of the backend, up to its last chunk.</summary>
    private static async Task<string> ReadAnswerAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, read);
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    private void Certificates()
    {
        var cache = Edge.Services.GetRequiredService<EdgeCertificateCache>();
        cache.Set("a.test", OriginCertificate.CreateSelfSigned(["a.test"], TimeProvider.System));
        cache.Set("b.test", OriginCertificate.CreateSelfSigned(["b.test"], TimeProvider.System));
    }
}
