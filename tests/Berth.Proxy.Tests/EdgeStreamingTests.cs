using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Berth.Proxy.Tests.Infrastructure;
using Berth.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests;

/// <summary>
/// Client and origin connections under stress, on Kestrel's socket transport and the origin client's
/// sockets: bodies larger than every buffer on the way (a paused receive resumed, sends waiting for
/// room), clients that pipeline, half-close, reset or stall, and many connections at once, each ending
/// with no client connection left open.
/// </summary>
public sealed class EdgeStreamingTests : EdgeTestBase
{
    private ConnectionLimits Connections => Edge.Services.GetRequiredService<ConnectionLimits>();

    internal override void ConfigureEdge(EdgeOptions options) => options.RequestHeadersTimeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task UploadLargerThanTheBuffers_ToASlowReader_ArrivesWhole()
    {
        var body = RandomNumberGenerator.GetBytes(12 * 1024 * 1024);
        using var client = Client();

        using var response = await client.PostAsync(new Uri("http://a.test/count"), new ByteArrayContent(body));

        response.EnsureSuccessStatusCode();
        Assert.Equal($"{body.Length}:{Convert.ToHexString(SHA256.HashData(body))}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DownloadLargerThanTheBuffers_ToASlowReader_ArrivesWhole()
    {
        const int length = 24 * 1024 * 1024;
        using var client = Client();

        using var response = await client.GetAsync(new Uri($"http://a.test/large?bytes={length}"), HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        for (var reads = 1; ; reads++)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
            if (reads % 32 == 0)
            {
                // Slower than the edge can send: its socket buffer fills and it waits for room.
                await Task.Delay(5);
            }
        }

        Assert.Equal(length, received.Length);
        Assert.True(received.ToArray().AsSpan().SequenceEqual(Backend.LargeBody(length)));
    }

    [Fact]
    public async Task PipelinedRequests_AreAnsweredInOrder()
    {
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);
        const string request = "GET / HTTP/1.1\r\nHost: {0}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            string.Format(System.Globalization.CultureInfo.InvariantCulture, request, "a.test")
            + string.Format(System.Globalization.CultureInfo.InvariantCulture, request, "b.test")
            + "GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"));

        var answer = await EdgeClients.ReadToEndAsync(socket);

        // The backend answers in one chunk: "9\r\nbackend-x\r\n".
        var bodies = System.Text.RegularExpressions.Regex.Matches(answer, "\r\n9\r\n(backend-[ab])\r\n").Select(match => match.Groups[1].Value);
        Assert.Equal(["backend-a", "backend-b", "backend-a"], bodies);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(answer, "^HTTP/1.1 200 OK", System.Text.RegularExpressions.RegexOptions.Multiline));
    }

    [Fact]
    public async Task ClientClosingItsSendingSide_EndsItsRequest_AndLeavesNoConnectionBehind()
    {
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: b.test\r\n\r\n"u8.ToArray());
        socket.Shutdown(SocketShutdown.Send);

        var answer = await EdgeClients.ReadToEndAsync(socket);

        // Kestrel's socket transport takes the client's FIN for the end of the connection (as nginx
        // takes it for a client gone, 499): the request is given up, unless its answer was already out.
        // Never half an answer.
        Assert.True(
            answer.Length == 0 || (answer.StartsWith("HTTP/1.1 200 OK", StringComparison.Ordinal) && answer.EndsWith("\r\n9\r\nbackend-b\r\n0\r\n\r\n", StringComparison.Ordinal)),
            answer);
        await WaitForNoOpenConnectionAsync();
        using var client = Client();
        Assert.Equal("backend-b", await client.GetStringAsync(new Uri("http://b.test/")));
    }

    [Fact]
    public async Task ClientResettingInTheMiddleOfAnAnswer_LeavesNoConnectionBehind()
    {
        using (var socket = await EdgeClients.ConnectSocketAsync(HttpEdge))
        {
            await socket.SendAsync("GET /large?bytes=33554432 HTTP/1.1\r\nHost: a.test\r\n\r\n"u8.ToArray());
            var buffer = new byte[64 * 1024];
            await socket.ReceiveAsync(buffer);
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }

        using var client = Client();
        Assert.Equal("backend-a", await client.GetStringAsync(new Uri("http://a.test/")));
        client.Dispose();
        await WaitForNoOpenConnectionAsync();
    }

    [Fact]
    public async Task ClientStallingInItsHeaders_IsCutOff()
    {
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: a.te"u8.ToArray());

        var answer = await EdgeClients.ReadToEndAsync(socket);

        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer);
        await WaitForNoOpenConnectionAsync();
    }

    [Fact]
    public async Task ManyConnectionsAtOnce_AreAllServed_AndAllClosedAfterwards()
    {
        using var handler = EdgeClients.CreateHandler(HttpEdge);
        handler.MaxConnectionsPerServer = 200;
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var host = i % 2 == 0 ? "a.test" : "b.test";
            var bodies = new List<string>();
            for (var request = 0; request < 10; request++)
            {
                bodies.Add(await client.GetStringAsync(new Uri($"http://{host}/")));
            }

            return (host, bodies);
        }));

        Assert.All(answers, answer => Assert.All(answer.bodies, body => Assert.Equal(answer.host == "a.test" ? "backend-a" : "backend-b", body)));
        // Kept alive until the client goes: up to 200 per host name.
        Assert.InRange(Connections.Open, 2, 400);
        client.Dispose();
        await WaitForNoOpenConnectionAsync();
    }

    /// <summary>Every client connection ends on the edge too (its connection middleware has returned).</summary>
    private async Task WaitForNoOpenConnectionAsync() =>
        Assert.Equal(0, await Poll.UntilAsync(() => Task.FromResult(Connections.Open), open => open == 0));
}
