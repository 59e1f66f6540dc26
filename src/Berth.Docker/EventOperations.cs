using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Docker;

/// <summary>The engine's event stream.</summary>
public sealed class EventOperations
{
    private readonly IDockerClient _client;
    private readonly TimeProvider _time;

    internal EventOperations(IDockerClient client, TimeProvider time)
    {
        _client = client;
        _time = time;
    }

    /// <summary>
    /// Events from now on until <paramref name="cancellationToken"/> fires, optionally filtered
    /// with Engine API filters (e.g. <c>type=container</c>, <c>label=key=value</c>). The stream
    /// ends with an exception when the engine connection breaks; callers resubscribe, passing
    /// <paramref name="since"/> (whole seconds) to replay what they may have missed.
    /// </summary>
    public async IAsyncEnumerable<EngineEvent> StreamAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, [EnumeratorCancellation] CancellationToken cancellationToken, DateTimeOffset? since = null)
    {
        // Ends the subscription also when the consumer stops iterating without cancelling.
        using var subscription = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateUnbounded<EngineEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var parameters = new ContainerEventsParameters
        {
            Since = since?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)!,
            Filters = filters?.ToDictionary(f => f.Key, IDictionary<string, bool> (f) => f.Value.ToDictionary(v => v, _ => true)),
        };
        var pump = Task.Run(
            async () =>
            {
                try
                {
                    await _client.System.MonitorEventsAsync(parameters, new Forward(channel.Writer, _time), subscription.Token);
                    channel.Writer.TryComplete();
                }
                catch (OperationCanceledException)
                {
                    channel.Writer.TryComplete();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    channel.Writer.TryComplete(e);
                }
            },
            CancellationToken.None);
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken))
            {
                while (channel.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            await subscription.CancelAsync();
            await pump.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private sealed class Forward(ChannelWriter<EngineEvent> writer, TimeProvider time) : IProgress<Message>
    {
        public void Report(Message value)
        {
            var when = value.TimeNano is { } nanos ? DateTimeOffset.FromUnixTimeMilliseconds(nanos / 1_000_000) : time.GetUtcNow();
            writer.TryWrite(new EngineEvent(
                value.Type ?? "",
                value.Action ?? "",
                value.Actor?.ID ?? "",
                value.Actor?.Attributes is { } attributes ? new Dictionary<string, string>(attributes) : new Dictionary<string, string>(),
                when));
        }
    }
}
