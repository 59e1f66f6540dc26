using Berth.Core.Accounts;
using Berth.Core.Data;
using Berth.Core.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Data.Tests;

/// <summary>The seed's maintenance rules 7.1 and 7.2, on a fake clock.</summary>
public abstract class MaintenanceTests(ProviderKind kind) : DatabaseTestBase(kind)
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 12, 8, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task StaleContainerRows_OlderThanFiveMinutes_AreDeleted()
    {
        await using (var db = Context())
        {
            db.DockerContainers.AddRange(
                SeedQueriesTests.Container("fresh", 0, "a", "running", "Up", SeedTime.ToText(_clock.GetUtcNow().AddMinutes(-4))),
                SeedQueriesTests.Container("edge", 0, "b", "running", "Up", SeedTime.ToText(_clock.GetUtcNow().AddMinutes(-5))),
                SeedQueriesTests.Container("stale", 3, "c", "running", "Up", SeedTime.ToText(_clock.GetUtcNow().AddMinutes(-6))));
            await db.SaveChangesAsync();
        }

        await using (var db = Context())
        {
            Assert.Equal(1, await ContainerMaintenance.DeleteStaleAsync(db, _clock, CancellationToken.None));
            Assert.Equal(["edge", "fresh"], await db.DockerContainers.Select(c => c.DockerId).OrderBy(c => c).ToListAsync());
        }

        // One minute later the row that was exactly five minutes old is stale; the four-minute one is exactly five.
        _clock.Advance(TimeSpan.FromMinutes(1));
        await using (var db = Context())
        {
            Assert.Equal(1, await ContainerMaintenance.DeleteStaleAsync(db, _clock, CancellationToken.None));
            Assert.Equal(["fresh"], await db.DockerContainers.Select(c => c.DockerId).ToListAsync());
        }
    }

    [Fact]
    public async Task ExpiredRegistrationCodes_AreDeleted_LiveOnesKept()
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        await using (var db = Context())
        {
            db.RegistrationCodes.AddRange(
                new RegistrationCode { UserId = 1, Code = "EXPIRED1", ValidUntil = now - 1 },
                new RegistrationCode { UserId = 2, Code = "LIVE0001", ValidUntil = now + 1800 },
                new RegistrationCode { UserId = 3, Code = "NOWNOW01", ValidUntil = now });
            await db.SaveChangesAsync();
        }

        await using (var db = Context())
        {
            Assert.Equal(1, await RegistrationCodeMaintenance.PurgeExpiredAsync(db, _clock, CancellationToken.None));
            Assert.Equal(["LIVE0001", "NOWNOW01"], await db.RegistrationCodes.Select(c => c.Code).OrderBy(c => c).ToListAsync());
        }
    }
}

public sealed class MaintenanceTests_Sqlite() : MaintenanceTests(ProviderKind.Sqlite);

public sealed class MaintenanceTests_PostgreSql() : MaintenanceTests(ProviderKind.PostgreSql);
