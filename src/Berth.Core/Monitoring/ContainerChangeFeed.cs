using System.Collections.Immutable;
using System.Threading.Channels;

namespace Berth.Core.Monitoring;

public enum MonitorChangeKind
{
    /// <summary>A container row was written (created, started, stopped, renamed, health changed...).</summary>
    ContainerUpdated,

    /// <summary>A container row was removed (the container is gone).</summary>
    ContainerRemoved,

    /// <summary>All rows of one engine were re-read (connect, reconnect, sweep, engine gone): reload them.</summary>
    EngineResynced,

    /// <summary>A virtual server's own container on the host changed state.</summary>
    ServerStateChanged,
}

/// <summary>One change the monitor saw.</summary>
/// <param name="Kind">What changed.</param>
/// <param name="ServerId">The virtual server the change concerns (authorise on this): the parent for inner containers, the server itself for its host container, 0 for other host containers.</param>
/// <param name="ParentServerId">The engine: 0 for the host.</param>
/// <param name="DockerId">Short container id; empty for <see cref="MonitorChangeKind.EngineResynced"/>.</param>
/// <param name="Name">The container's name, as in the row's <c>Names</c>.</param>
/// <param name="State">The row's <c>State</c> (<c>removed</c> for a removed container).</param>
/// <param name="Status">The row's <c>Status</c>.</param>
/// <param name="At">When the monitor saw it.</param>
public sealed record MonitorChange(
    MonitorChangeKind Kind,
    long ServerId,
    long ParentServerId,
    string DockerId,
    string Name,
    string State,
    string Status,
    DateTimeOffset At);

/// <summary>
/// In-process feed of container and server changes, for live views (a server-sent-events
/// endpoint filters it per server). A slow subscriber loses its oldest changes, never blocks the
/// monitor; an <see cref="MonitorChangeKind.EngineResynced"/> tells it to reload anyway.
/// </summary>
public interface IContainerChangeFeed
{
    /// <summary>
    /// Changes from this call on (the subscription is live when the method returns) until
    /// <paramref name="cancellationToken"/> fires, which completes the reader.
    /// </summary>
    ChannelReader<MonitorChange> Subscribe(CancellationToken cancellationToken);
}

public sealed class ContainerChangeFeed : IContainerChangeFeed
{
    private const int SubscriberCapacity = 1024;
    private ImmutableList<Channel<MonitorChange>> _subscribers = [];

    public int SubscriberCount => _subscribers.Count;

    public void Publish(MonitorChange change)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Writer.TryWrite(change);
        }
    }

    public ChannelReader<MonitorChange> Subscribe(CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<MonitorChange>(new BoundedChannelOptions(SubscriberCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        ImmutableInterlocked.Update(ref _subscribers, list => list.Add(channel));
        cancellationToken.Register(() =>
        {
            ImmutableInterlocked.Update(ref _subscribers, list => list.Remove(channel));
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }
}
