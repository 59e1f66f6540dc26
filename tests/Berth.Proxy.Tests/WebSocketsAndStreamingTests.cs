using System.Net;
using System.Net.WebSockets;
using System.Text;
using Berth.Proxy.Tests.Infrastructure;

namespace Berth.Proxy.Tests;

public sealed class WebSocketsAndStreamingTests : EdgeTestBase
{
    [Fact]
    public async Task WebSocket_PassesThroughToTheHostsOrigin()
    {
        using var invoker = new HttpMessageInvoker(EdgeClients.CreateHandler(HttpEdge));
        using var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version11;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await socket.ConnectAsync(new Uri("ws://b.test/ws"), invoker, timeout.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes("ping"), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        Assert.Equal("backend-b:ping", Encoding.UTF8.GetString(buffer, 0, received.Count));
    }

    [Fact]
    public async Task StreamedResponse_ReachesTheClientBeforeTheOriginFinishes()
    {
        using var client = Client();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        using var response = await client.GetAsync(new Uri("http://a.test/stream"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var first = await reader.ReadLineAsync(timeout.Token);
        A.StreamGate.SetResult();
        var second = await reader.ReadLineAsync(timeout.Token);

        Assert.Equal("first", first);
        Assert.Equal("second", second);
    }
}
