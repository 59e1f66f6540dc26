using System.Net.Sockets;
using System.Text;
using Berth.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests;

/// <summary>
/// Kestrel's timeouts that bound what a slow client can hold (E4), on Kestrel's own clock: a client
/// stalled in its TLS handshake delays nobody and is cut after the handshake timeout; a request body
/// trickled too slowly ends. The lane's own timeouts run on the edge's clock: <see cref="Lane.LaneTimeoutsTests"/>.
/// </summary>
public sealed class EdgeTimeoutsTests : EdgeTestBase
{
    internal override void ConfigureEdge(EdgeOptions options)
    {
        options.TlsHandshakeTimeout = TimeSpan.FromSeconds(8);
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

    private void Certificates()
    {
        var cache = Edge.Services.GetRequiredService<EdgeCertificateCache>();
        cache.Set("a.test", OriginCertificate.CreateSelfSigned(["a.test"], TimeProvider.System));
        cache.Set("b.test", OriginCertificate.CreateSelfSigned(["b.test"], TimeProvider.System));
    }
}
