using Berth.Core.Data;
using Berth.Core.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Monitoring.Tests;

/// <summary>A full list rewrites only what changed, yet every listed row's UpdatedAt moves on (the stale-row rule reads it).</summary>
public abstract class ContainerRowStoreTests(ProviderKind kind) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private MonitorHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await MonitorHost.StartAsync(o => o.HostEndpoint = null, _clock, kind);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ListAgain_UnchangedRowsOnlyRefreshed_ChangedRowsRewritten_GoneRowsRemoved()
    {
        DockerContainer[] first = [Row("aaaaaaaaaaaa", "idle", "Up 2 hours"), Row("bbbbbbbbbbbb", "busy", "Up 2 hours"), Row("cccccccccccc", "leaving", "Up 1 hour")];
        Assert.Equal(new ContainerSync(3, 0, 0, 0), await _host.Rows.ReplaceAllAsync(7, first, CancellationToken.None));

        _clock.Advance(TimeSpan.FromMinutes(2));
        DockerContainer[] second = [Row("aaaaaaaaaaaa", "idle", "Up 2 hours"), Row("bbbbbbbbbbbb", "busy", "Exited (0) 1 second ago", "exited")];
        var sync = await _host.Rows.ReplaceAllAsync(7, second, CancellationToken.None);

        Assert.Equal(new ContainerSync(0, 1, 1, 0), sync);
        await using var db = _host.Context();
        var rows = await db.DockerContainers.AsNoTracking().Where(c => c.ParentServerId == 7).OrderBy(c => c.DockerId).ToListAsync();
        Assert.Equal(["aaaaaaaaaaaa", "bbbbbbbbbbbb"], rows.Select(r => r.DockerId));
        Assert.All(rows, r => Assert.Equal(SeedTime.Now(_clock), r.UpdatedAt));
        Assert.Equal(("Up 2 hours", "running"), (rows[0].Status, rows[0].State));
        Assert.Equal(("Exited (0) 1 second ago", "exited"), (rows[1].Status, rows[1].State));
    }

    private static DockerContainer Row(string id, string name, string status, string state = "running") =>
        new() { DockerId = id, Names = name, Image = "busybox", Status = status, State = state, RunningFor = "2 hours ago", Size = "0B" };
}

public sealed class SqliteContainerRowStoreTests() : ContainerRowStoreTests(ProviderKind.Sqlite);

public sealed class PostgreSqlContainerRowStoreTests() : ContainerRowStoreTests(ProviderKind.PostgreSql);
