using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Terminal;

/// <summary>A terminal's WebSocket as a browser opens it: ticket, cookie, Origin; output decoded as UTF-8, events collected.</summary>
internal sealed class TerminalClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly StringBuilder _output = new();
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly List<JsonElement> _events = [];
    private readonly object _gate = new();
    private readonly Task _reader;
    private long _bytes;

    private TerminalClient(ClientWebSocket socket, bool read)
    {
        _socket = socket;
        _reader = read ? Task.Run(ReadAsync) : Task.CompletedTask;
    }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public WebSocketState State => _socket.State;

    public string? SessionId => Events.FirstOrDefault(e => e.GetProperty("type").GetString() == "session") is { ValueKind: JsonValueKind.Object } e ? e.GetProperty("id").GetString() : null;

    public static async Task<string> TicketAsync(HttpClient client, long serverId)
    {
        var response = await client.PostAsync($"/api/servers/{serverId}/terminal/tickets", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"ticket: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ticket").GetString()!;
    }

    public static string OriginOf(BerthTestHost host) => host.BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>Opens the socket; <paramref name="read"/> false leaves the output unread (a paused browser).</summary>
    public static async Task<TerminalClient> ConnectAsync(
        BerthTestHost host, HttpClient client, long serverId, string? ticket = null, string? resume = null, string? query = null, bool read = true, string? origin = "")
    {
        ticket ??= await TicketAsync(client, serverId);
        var socket = Create(host, client, origin);
        var uri = Address(host, serverId, ticket, resume, query);
        await socket.ConnectAsync(uri, CancellationToken.None);
        var terminal = new TerminalClient(socket, read);
        if (read)
        {
            await Poll.UntilAsync(() => terminal.SessionId is not null || terminal.Events.Count > 0);
        }

        return terminal;
    }

    /// <summary>The status code of an upgrade the server refuses (or 101 when it accepts it).</summary>
    public static async Task<HttpStatusCode> RefusalAsync(BerthTestHost host, HttpClient client, long serverId, string ticket, string? origin = "", bool cookie = true)
    {
        using var socket = Create(host, cookie ? client : null, origin);
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(Address(host, serverId, ticket, null, null), CancellationToken.None);
            socket.Abort();
            return HttpStatusCode.SwitchingProtocols;
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }
    }

    private static Uri Address(BerthTestHost host, long serverId, string ticket, string? resume, string? query)
    {
        var builder = new UriBuilder(host.BaseAddress) { Scheme = "ws", Path = $"/api/servers/{serverId}/terminal" };
        builder.Query = $"ticket={Uri.EscapeDataString(ticket)}" + (resume is null ? "" : $"&resume={Uri.EscapeDataString(resume)}") + (query is null ? "" : "&" + query);
        return builder.Uri;
    }

    private static ClientWebSocket Create(BerthTestHost host, HttpClient? client, string? origin)
    {
        var socket = new ClientWebSocket();
        if (client is not null)
        {
            socket.Options.SetRequestHeader("Cookie", "berth_session=" + host.SessionTokenOf(client));
        }

        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin.Length == 0 ? OriginOf(host) : origin);
        }

        return socket;
    }

    public Task TypeAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Binary, true, CancellationToken.None);

    /// <summary>Sends <paramref name="bytes"/> as one binary frame (a paste).</summary>
    public Task SendAsync(ReadOnlyMemory<byte> bytes) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None).AsTask();

    public Task ControlAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    public async Task<string> WaitForOutputAsync(string text, int seconds = 20)
    {
        var found = await Poll.UntilAsync(() => Output.Contains(text, StringComparison.Ordinal), TimeSpan.FromSeconds(seconds));
        Assert.True(found, $"terminal output never showed '{text}'; it was:\n{Output}");
        return Output;
    }

    public async Task<JsonElement> WaitForEventAsync(string type, int seconds = 20)
    {
        var found = await Poll.UntilAsync(() => Events.Any(e => e.GetProperty("type").GetString() == type), TimeSpan.FromSeconds(seconds));
        Assert.True(found, $"no {type} event; events: {string.Join(", ", Events)}; output:\n{Output}");
        return Events.First(e => e.GetProperty("type").GetString() == type);
    }

    /// <summary>Drops the connection without a close handshake, like a network that went away.</summary>
    public void Drop() => _socket.Abort();

    private async Task ReadAsync()
    {
        var buffer = new byte[16384];
        var text = new List<byte>();
        var chars = new char[16384 * 2];
        try
        {
            while (_socket.State == WebSocketState.Open || _socket.State == WebSocketState.CloseSent)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    Interlocked.Add(ref _bytes, result.Count);
                    var count = _decoder.GetChars(buffer, 0, result.Count, chars, 0);
                    lock (_gate)
                    {
                        _output.Append(chars, 0, count);
                    }

                    continue;
                }

                text.AddRange(buffer.AsSpan(0, result.Count));
                if (result.EndOfMessage)
                {
                    var element = JsonDocument.Parse(text.ToArray()).RootElement.Clone();
                    text.Clear();
                    lock (_gate)
                    {
                        _events.Add(element);
                    }
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _reader;
        _socket.Dispose();
    }
}
