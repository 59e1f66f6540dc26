using Berth.Core.Data;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;

namespace Berth.Data.Tests;

public abstract class SchemaTests(ProviderKind kind) : DatabaseTestBase(kind)
{
    [Fact]
    public async Task Migrations_CoverTheWholeModel()
    {
        await using var db = Context();

        Assert.False(db.Database.HasPendingModelChanges(), "the EF model has changes without a migration: run scripts/add-migration.sh");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task HostRow_IsServerZero()
    {
        await using var db = Context();

        var host = await db.VirtualServers.SingleAsync(s => s.Id == VirtualServer.HostId);

        Assert.Equal(("HOST", 0L, true, false, "", ""), (host.Name, host.OwnerId, host.Enabled, host.Deleted, host.CreatedAt, host.UpdatedAt));
    }

    [Fact]
    public async Task SchemaVersion_IsRecorded()
    {
        await using var db = Context();

        var version = await DatabaseMigrator.SchemaVersionAsync(db, CancellationToken.None);

        Assert.NotNull(version);
        Assert.Equal(db.Database.GetMigrations().Last(), version);
    }

    [Fact]
    public async Task MigratingTwice_ChangesNothing()
    {
        await using var db = Context();
        var before = await db.VirtualServers.CountAsync();

        await db.Database.MigrateAsync();

        Assert.Equal(before, await db.VirtualServers.CountAsync());
    }

    [Fact]
    public async Task UniqueRules_OfTheSeed_Hold()
    {
        await using var db = Context();
        db.Users.Add(new() { Email = "a@example.com", Password = "x", Enabled = true });
        db.DomainNames.Add(new() { VirtualServerId = 1, Name = "app.example.com" });
        db.RegistrationCodes.Add(new() { UserId = 1, Code = "ABCD1234", ValidUntil = 1 });
        await db.SaveChangesAsync();

        await AssertRejectedAsync(d => d.Users.Add(new() { Email = "a@example.com", Password = "y" }));
        await AssertRejectedAsync(d => d.DomainNames.Add(new() { VirtualServerId = 2, Name = "app.example.com" }));
        await AssertRejectedAsync(d => d.RegistrationCodes.Add(new() { UserId = 1, Code = "ZZZZ9999", ValidUntil = 1 }));
        await AssertRejectedAsync(d => d.RegistrationCodes.Add(new() { UserId = 2, Code = "ABCD1234", ValidUntil = 1 }));
    }

    [Fact]
    public async Task SshKeys_AreUniquePerAccount_AndGoWithTheirUser()
    {
        await using var db = Context();
        var ana = new Berth.Core.Accounts.User { Email = "ana@example.com", Password = "x", Enabled = true };
        var bob = new Berth.Core.Accounts.User { Email = "bob@example.com", Password = "x", Enabled = true };
        db.Users.AddRange(ana, bob);
        await db.SaveChangesAsync();
        db.SshKeys.Add(Key(ana.Id));
        db.SshKeys.Add(Key(bob.Id));
        await db.SaveChangesAsync();

        await AssertRejectedAsync(d => d.SshKeys.Add(Key(ana.Id)));

        db.Users.Remove(ana);
        await db.SaveChangesAsync();
        await using var fresh = Context();
        Assert.Equal([bob.Id], await fresh.SshKeys.Select(k => k.UserId).ToListAsync());
    }

    private static Berth.Core.Ssh.SshKey Key(long userId) => new()
    {
        UserId = userId,
        Name = "k",
        KeyType = "ssh-ed25519",
        PublicKey = "ssh-ed25519 AAAA",
        Fingerprint = "SHA256:same",
        CreatedAt = "2026-01-01 00:00:00",
    };

    private async Task AssertRejectedAsync(Action<BerthDbContext> add)
    {
        await using var db = Context();
        add(db);
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }
}

public sealed class SchemaTests_Sqlite() : SchemaTests(ProviderKind.Sqlite);

public sealed class SchemaTests_PostgreSql() : SchemaTests(ProviderKind.PostgreSql);
