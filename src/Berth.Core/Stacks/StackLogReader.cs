using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Berth.Docker;

namespace Berth.Core.Stacks;

/// <summary>
/// A stack's logs, read per container through the server's own engine (the Engine API), so each line
/// keeps the stream the engine recorded it on; <c>docker compose logs</c> writes both streams of every
/// container to its own stdout, which lost the split. Lines look like Compose's:
/// <c>stderr worker-1 | 2026-12-06T02:55:01.123456789Z text</c>. Containers are read side by side
/// into one bounded queue, so lines arrive in the order the engine sends them (each carries its
/// timestamp) and a slow client slows every read instead of growing memory. Following ends when
/// every container's log ends (the containers stopped) or the caller stops reading. The reader owns
/// the connection to the server's engine.
/// </summary>
public sealed class StackLogReader : IAsyncDisposable
{
    /// <summary>Lines waiting for the client, whatever the number of containers.</summary>
    private const int QueueLength = 256;

    private readonly DockerEngine _engine;
    private readonly IReadOnlyList<StackLogSource> _containers;
    private readonly int _tail;
    private readonly bool _follow;

    internal StackLogReader(DockerEngine engine, IReadOnlyList<StackLogSource> containers, int tail, bool follow)
    {
        _engine = engine;
        _containers = containers;
        _tail = tail;
        _follow = follow;
    }

    /// <summary>The containers read, as Compose names them (<c>service-number</c>).</summary>
    public IReadOnlyList<string> Containers => [.. _containers.Select(c => c.Name)];

    public async IAsyncEnumerable<string> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var queue = Channel.CreateBounded<string>(new BoundedChannelOptions(QueueLength) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pumps = _containers.Select(c => PumpAsync(c, queue.Writer, stop.Token)).ToArray();
        var all = Task.WhenAll(pumps);
        _ = all.ContinueWith(
            done => queue.Writer.TryComplete(done.IsFaulted ? done.Exception.InnerException : null),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        try
        {
            await foreach (var line in queue.Reader.ReadAllAsync(cancellationToken))
            {
                yield return line;
            }
        }
        finally
        {
            // The client left (or every log ended): the engine's streams are closed, not left to a quiet follow.
            await stop.CancelAsync();
            await Task.WhenAll(pumps.Select(p => p.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)));
        }
    }

    public ValueTask DisposeAsync()
    {
        _engine.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task PumpAsync(StackLogSource container, ChannelWriter<string> queue, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var line in _engine.Containers.ReadLogsAsync(container.Id, _tail, _follow, cancellationToken))
            {
                await queue.WriteAsync(Format(container.Name, line), cancellationToken);
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or IOException)
        {
            // Stopped by the reader (cancelling closes the engine's stream under a blocked read).
        }
        catch (Exception e) when (DockerEngine.IsEngineFailure(e))
        {
            // A container removed while it was read ends its part of the logs, not the others'.
        }
    }

    internal static string Format(string name, ContainerLogLine line) =>
        string.Create(CultureInfo.InvariantCulture, $"{(line.StandardError ? "stderr" : "stdout")} {name} | {line.Text}");
}

/// <summary>One container of a stack: its engine id and Compose's name for it (<c>service-number</c>).</summary>
internal sealed record StackLogSource(string Id, string Name)
{
    private const string ServiceLabel = "com.docker.compose.service";
    private const string NumberLabel = "com.docker.compose.container-number";
    private const string OneOffLabel = "com.docker.compose.oneoff";

    /// <summary>
    /// The stack's service containers (one-off <c>compose run</c> containers left out, as Compose's logs
    /// do), of one service when <paramref name="service"/> is given, ordered by service and number.
    /// </summary>
    public static IReadOnlyList<StackLogSource> From(IEnumerable<(string Id, IDictionary<string, string> Labels)> containers, string? service) =>
        [.. containers
            .Where(c => !string.Equals(Label(c.Labels, OneOffLabel), "True", StringComparison.OrdinalIgnoreCase))
            .Select(c => (c.Id, Service: Label(c.Labels, ServiceLabel) ?? "", Number: Label(c.Labels, NumberLabel) ?? "1"))
            .Where(c => c.Service.Length > 0 && (service is null || c.Service == service))
            .OrderBy(c => c.Service, StringComparer.Ordinal)
            .ThenBy(c => int.TryParse(c.Number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue)
            .Select(c => new StackLogSource(c.Id, $"{c.Service}-{c.Number}"))];

    private static string? Label(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) ? value : null;
}
