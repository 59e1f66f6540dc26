using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace Berth.Server.Tests.Monitoring;

/// <summary>One open server-sent-events response, read event by event like a browser's EventSource.</summary>
public sealed class EventSourceClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _closed = new();
    private readonly IAsyncEnumerator<SseItem<string>> _events;

    private EventSourceClient(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _events = SseParser.Create(body).EnumerateAsync(_closed.Token).GetAsyncEnumerator(_closed.Token);
    }

    /// <summary>Every event read so far, in order.</summary>
    public List<(string Type, JsonElement Data)> Seen { get; } = [];

    /// <summary>Opens <paramref name="path"/> and waits for its <c>ready</c> event.</summary>
    public static async Task<EventSourceClient> OpenAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            // Only a refusal has an end to read.
            Assert.Fail($"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var stream = new EventSourceClient(response, await response.Content.ReadAsStreamAsync());
        await stream.NextAsync(e => e.Type == "ready", TimeSpan.FromSeconds(10), "the ready event");
        return stream;
    }

    /// <summary>Reads until an event matches; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<(string Type, JsonElement Data)> NextAsync(Func<(string Type, JsonElement Data), bool> match, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (await _events.MoveNextAsync().AsTask().WaitAsync(deadline.Token))
            {
                using var document = JsonDocument.Parse(_events.Current.Data);
                var item = (_events.Current.EventType, document.RootElement.Clone());
                Seen.Add(item);
                if (match(item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
        }

        Assert.Fail($"No {what} within {timeout.TotalSeconds:0} s; seen: {string.Join(" | ", Seen.Select(e => $"{e.Type} {e.Data}"))}");
        return default;
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        try
        {
            await _events.DisposeAsync();
        }
        catch (OperationCanceledException)
        {
        }

        _response.Dispose();
        _closed.Dispose();
    }
}
