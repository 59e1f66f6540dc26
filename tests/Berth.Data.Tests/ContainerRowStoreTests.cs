using Berth.Core.Data;
using Berth.Core.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Data.Tests;

public abstract class ContainerRowStoreTests(ProviderKind kind) : DatabaseTestBase(kind)
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 12, 8, 10, 0, 0, TimeSpan.Zero));

    private ContainerRowStore Store() => new(new Factory(Database), _clock);

    [Fact]
    public async Task ReplaceAll_AddsUpdatesAndRemoves_OnlyForThatEngine()
    {
        var store = Store();
        await store.ReplaceAllAsync(1, [Row("a", "web", "running"), Row("b", "db", "running")], CancellationToken.None);
        await store.ReplaceAllAsync(2, [Row("a", "other-server", "running")], CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(30));

        var sync = await store.ReplaceAllAsync(1, [Row("a", "web", "exited"), Row("c", "cache", "running")], CancellationToken.None);

        Assert.Equal(new ContainerSync(1, 1, 1, 0), sync);
        await using var db = Context();
        var rows = await db.DockerContainers.OrderBy(c => c.ParentServerId).ThenBy(c => c.DockerId).ToListAsync();
        Assert.Equal(["1/a/exited", "1/c/running", "2/a/running"], rows.Select(r => $"{r.ParentServerId}/{r.DockerId}/{r.State}"));
        Assert.Equal("2025-12-08 10:00:30", rows[0].UpdatedAt);
        Assert.Equal("2025-12-08 10:00:00", rows[2].UpdatedAt);
    }

    [Fact]
    public async Task UnknownServerContainerOnTheHost_GetsAnOwnerlessServerRow()
    {
        var sync = await Store().ReplaceAllAsync(0, [Row("x", "hosting-users-dind-42", "running"), Row("y", "unrelated", "running")], CancellationToken.None);

        Assert.Equal(1, sync.AdoptedServers);
        await using var db = Context();
        var adopted = await db.VirtualServers.SingleAsync(s => s.Id == 42);
        Assert.Equal((0L, false), (adopted.OwnerId, adopted.Deleted));
        Assert.Equal(2, await db.VirtualServers.CountAsync());
    }

    [Fact]
    public async Task UpsertAndRemove_TouchOneRow()
    {
        var store = Store();
        await store.UpsertAsync(3, Row("a", "web", "created"), CancellationToken.None);
        await store.UpsertAsync(3, Row("a", "web", "running"), CancellationToken.None);
        await store.UpsertAsync(3, Row("b", "db", "running"), CancellationToken.None);

        Assert.True(await store.RemoveAsync(3, "b", CancellationToken.None));
        Assert.False(await store.RemoveAsync(3, "b", CancellationToken.None));

        await using var db = Context();
        Assert.Equal("running", (await db.DockerContainers.SingleAsync()).State);
    }

    [Fact]
    public async Task MeasuredSize_IsKept_WhenAFastPassHasNone()
    {
        var store = Store();
        var measured = Row("a", "web", "running");
        measured.Size = "12.3kB (virtual 45MB)";
        await store.UpsertAsync(3, measured, CancellationToken.None);

        await store.ReplaceAllAsync(3, [Row("a", "web", "running")], CancellationToken.None);

        await using var db = Context();
        Assert.Equal("12.3kB (virtual 45MB)", (await db.DockerContainers.SingleAsync()).Size);
    }

    private static DockerContainer Row(string id, string names, string state) => new()
    {
        DockerId = id,
        Names = names,
        State = state,
        Status = state == "running" ? "Up 1 second" : "Exited (0)",
        Image = "busybox",
        Command = "\"sh\"",
        CreatedAt = "2025-12-08 09:00:00 +0000 UTC",
        Size = "0B",
    };

    private sealed class Factory(TestDatabase database) : IDbContextFactory<BerthDbContext>
    {
        private readonly SingleWriterGate _gate = new();

        public BerthDbContext CreateDbContext() => database.CreateContext(_gate);
    }
}

public sealed class ContainerRowStoreTests_Sqlite() : ContainerRowStoreTests(ProviderKind.Sqlite);

public sealed class ContainerRowStoreTests_PostgreSql() : ContainerRowStoreTests(ProviderKind.PostgreSql);
