using System.Globalization;
using Berth.Core.Data;
using Berth.Core.Monitoring;
using Berth.Docker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Monitoring.Tests;

/// <summary>Containers on the host engine: rows follow their lifecycle through events, within a bounded wait.</summary>
public sealed class HostEngineMonitoringTests : IAsyncLifetime
{
    private readonly DockerEngine _engine = TestDocker.Connect(ResourceLabels.NewSessionId());
    private string _busybox = "";

    public async Task InitializeAsync() => _busybox = await BusyboxImage.EnsureAsync(_engine.Images, TestTimeout.Minute);

    public async Task DisposeAsync()
    {
        await _engine.ReapSessionAsync(TestTimeout.Minute);
        _engine.Dispose();
    }

    [Fact]
    public async Task ContainerCreatedStartedKilledRestartedRemoved_RowFollowsEachChange()
    {
        await using var host = await MonitorHost.StartAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var feed = host.Feed.Subscribe(stop.Token);

        var id = await _engine.Containers.CreateAsync(new ContainerSpec { Image = _busybox, Command = ["sleep", "300"] }, TestTimeout.Minute);
        await host.StateEventuallyAsync(0, id, "created");
        await _engine.Containers.StartAsync(id, TestTimeout.Minute);
        await host.StateEventuallyAsync(0, id, "running");
        await _engine.Containers.StopAsync(id, TimeSpan.Zero, TestTimeout.Minute);
        await host.StateEventuallyAsync(0, id, "exited");
        await _engine.Containers.StartAsync(id, TestTimeout.Minute);
        await host.StateEventuallyAsync(0, id, "running");
        var row = await host.RowAsync(0, id);
        await _engine.Containers.RemoveAsync(id, TestTimeout.Minute);
        await host.StateEventuallyAsync(0, id, null);

        Assert.NotNull(row);
        Assert.Equal(_busybox, row.Image);
        Assert.Equal("\"sleep 300\"", row.Command);
        Assert.StartsWith("Up ", row.Status, StringComparison.Ordinal);
        Assert.Contains($"{_engine.Labels.SessionKey}={_engine.Labels.SessionId}", row.Labels, StringComparison.Ordinal);
        var seen = new List<MonitorChange>();
        while (feed.TryRead(out var change))
        {
            seen.Add(change);
        }

        var mine = seen.Where(c => c.DockerId == id[..12]).Select(c => (c.Kind, c.State)).ToList();
        Assert.Contains((MonitorChangeKind.ContainerUpdated, "running"), mine);
        Assert.Contains((MonitorChangeKind.ContainerUpdated, "exited"), mine);
        Assert.Equal((MonitorChangeKind.ContainerRemoved, "removed"), mine[^1]);
    }

    [Fact]
    public async Task ContainersThatExistedBeforeTheMonitorStarted_AreListedAtStart()
    {
        var id = await _engine.Containers.CreateAsync(new ContainerSpec { Image = _busybox, Command = ["sleep", "300"] }, TestTimeout.Minute);
        await _engine.Containers.StartAsync(id, TestTimeout.Minute);

        await using var host = await MonitorHost.StartAsync();

        Assert.Equal("running", await host.StateEventuallyAsync(0, id, "running"));
    }

    [Fact]
    public async Task UnknownServerContainerOnTheHost_GetsAnOwnerlessServerRow_AndItsStateIsPublished()
    {
        await using var host = await MonitorHost.StartAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var feed = host.Feed.Subscribe(stop.Token);
        var serverId = Random.Shared.NextInt64(100_000, 900_000);

        var id = await _engine.Containers.CreateAsync(
            new ContainerSpec { Image = _busybox, Name = $"hosting-users-dind-{serverId.ToString(CultureInfo.InvariantCulture)}", Command = ["sleep", "300"] },
            TestTimeout.Minute);
        await _engine.Containers.StartAsync(id, TestTimeout.Minute);

        var adopted = await host.EventuallyAsync(db => db.VirtualServers.AsNoTracking().SingleOrDefaultAsync(s => s.Id == serverId), s => s is not null, "the ownerless server row");
        Assert.Equal((0L, false, true), (adopted!.OwnerId, adopted.Deleted, adopted.Enabled));
        var change = await ReadUntilAsync(feed, c => c.Kind == MonitorChangeKind.ServerStateChanged && c.ServerId == serverId && c.State == "running", stop.Token);
        Assert.Equal(0, change.ParentServerId);
    }

    [Fact]
    public async Task RowsUnseenForFiveMinutes_AreDeleted_LiveRowsAreKeptBySweeps()
    {
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var host = await MonitorHost.StartAsync(o => o.SweepInterval = TimeSpan.FromSeconds(60), clock);
        var id = await _engine.Containers.CreateAsync(new ContainerSpec { Image = _busybox, Command = ["sleep", "300"] }, TestTimeout.Minute);
        await host.StateEventuallyAsync(0, id, "created");
        await using (var db = host.Context())
        {
            db.DockerContainers.Add(new DockerContainer { DockerId = "0123456789ab", ParentServerId = 77, Names = "gone", State = "running", UpdatedAt = SeedTime.Now(clock) });
            await db.SaveChangesAsync();
        }

        for (var minute = 1; minute <= 6; minute++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            // Each fake minute fires one sweep; wait until it has refreshed the live row before moving on.
            var expected = SeedTime.Now(clock);
            await host.EventuallyAsync(
                db => db.DockerContainers.AsNoTracking().Where(c => c.ParentServerId == 0 && c.DockerId == id.Substring(0, 12)).Select(c => c.UpdatedAt).SingleOrDefaultAsync(),
                u => u == expected,
                $"the sweep of fake minute {minute}");
        }

        await host.EventuallyAsync(db => db.DockerContainers.CountAsync(c => c.ParentServerId == 77), n => n == 0, "the stale row to be deleted");
        Assert.Equal("created", await host.StateEventuallyAsync(0, id, "created"));
    }

    [Fact]
    public async Task Options_SweepSlowerThanTheStaleRule_RefusedAtStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await MonitorHost.StartAsync(o => o.SweepInterval = TimeSpan.FromMinutes(6)));

        Assert.Contains("Berth:Monitor:SweepInterval", error.Message, StringComparison.Ordinal);
    }

    internal static async Task<MonitorChange> ReadUntilAsync(System.Threading.Channels.ChannelReader<MonitorChange> feed, Func<MonitorChange, bool> match, CancellationToken cancellationToken)
    {
        await foreach (var change in feed.ReadAllAsync(cancellationToken))
        {
            if (match(change))
            {
                return change;
            }
        }

        throw new InvalidOperationException("The feed ended.");
    }
}
