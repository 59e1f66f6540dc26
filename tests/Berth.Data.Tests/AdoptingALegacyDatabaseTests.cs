using Berth.Core.Accounts;
using Berth.Core.Data;
using Berth.Data.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Berth.Data.Tests;

/// <summary>
/// A database.db made by the original platform (the seed's DDL, rows in it, no indexes, no
/// migration history) is adopted: every row, ID and bcrypt hash stays, and what Berth adds appears.
/// </summary>
public sealed class AdoptingALegacyDatabaseTests : IAsyncLifetime
{
    // Python's bcrypt writes $2b$ hashes; BCrypt.Net writes $2a$ with the same algorithm.
    private static readonly string LegacyHash = BCrypt.Net.BCrypt.HashPassword("legacy-password", 12).Replace("$2a$", "$2b$", StringComparison.Ordinal);

    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(ProviderKind.Sqlite);
        Directory.CreateDirectory(Path.GetDirectoryName(_database.SqliteFile)!);
        await using var connection = new SqliteConnection($"Data Source={_database.SqliteFile};Pooling=False");
        await connection.OpenAsync();
        var statements = SeedDdl.Tables.Values.Append("INSERT INTO Hosting_VirtualServers VALUES (0, 0, 'HOST', 1, 0, '', '')").Concat(
        [
            $"INSERT INTO System_Users VALUES (1, 'admin@admin.com', '{LegacyHash}', 1, 1, '2025-12-08 10:30:00')",
            $"INSERT INTO System_Users VALUES (7, 'Student@Example.com', '{LegacyHash}', 0, 1, '')",
            "INSERT INTO System_Users (ID, Email, Password, Admin, Enabled) VALUES (9, 'nulladmin@example.com', 'x', NULL, 0)",
            "INSERT INTO System_RegistrationCodes VALUES (3, 1, 'ABC12345', 1733666400)",
            "INSERT INTO Hosting_VirtualServers VALUES (12, 7, 'My Web App', 1, 0, '2025-12-01 10:00:00', '2025-12-08 09:00:00')",
            "INSERT INTO Hosting_VirtualServers VALUES (15, 7, 'Old', 0, 1, '2025-12-02 14:30:00', '2025-12-07 16:00:00')",
            "INSERT INTO Hosting_DomainNames VALUES (4, 12, 'myapp.example.com', 0, 1)",
            "INSERT INTO Hosting_DockerContainers VALUES ('abc123', 0, '\"dockerd\"', '2025-12-08 08:00:00 +0000 UTC', 'hosting-dind-ubuntu', '', '', 'hosting-users-dind-12', 'bridge', '', '2 hours ago', '0B', 'running', 'Up 2 hours', '2025-12-08 10:00:00')",
            "INSERT INTO System_RecentActivity VALUES (40, 7, 'Virtual server #12 created', '2025-12-08 10:35:00')",
        ]);
        foreach (var sql in statements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Migrate_KeepsEveryRowAndId_AndAddsWhatIsMissing()
    {
        await _database.Provider.PrepareAsync(CancellationToken.None);
        await using (var db = _database.CreateContext())
        {
            Assert.Contains((await db.Database.GetPendingMigrationsAsync()), m => m.EndsWith("_InitialSchema", StringComparison.Ordinal));
            await db.Database.MigrateAsync();
        }

        await using var check = _database.CreateContext();
        Assert.Equal([1L, 7L, 9L], await check.Users.OrderBy(u => u.Id).Select(u => u.Id).ToListAsync());
        Assert.Equal([0L, 12L, 15L], await check.VirtualServers.OrderBy(s => s.Id).Select(s => s.Id).ToListAsync());
        Assert.Equal("HOST", (await check.VirtualServers.SingleAsync(s => s.Id == 0)).Name);
        Assert.True((await check.VirtualServers.SingleAsync(s => s.Id == 15)).Deleted);
        Assert.Equal("myapp.example.com", (await check.DomainNames.SingleAsync(d => d.Id == 4)).Name);
        Assert.Equal("ABC12345", (await check.RegistrationCodes.SingleAsync()).Code);
        Assert.Equal("Up 2 hours", (await check.DockerContainers.SingleAsync()).Status);
        Assert.Equal(40, (await check.RecentActivity.SingleAsync()).Id);
        Assert.Null((await check.Users.SingleAsync(u => u.Id == 9)).Admin);

        var student = await check.Users.SingleAsync(u => u.Id == 7);
        Assert.Equal(LegacyHash, student.Password);
        Assert.True(PasswordHasher.Verify("legacy-password", student.Password));
        Assert.False(PasswordHasher.Verify("wrong-password", student.Password));

        Assert.Empty(await check.Database.GetPendingMigrationsAsync());
        Assert.Empty(await check.Settings.ToListAsync());
        var indexes = await check.Database.SqlQueryRaw<string>("SELECT name AS Value FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%'").ToListAsync();
        // The seed's indexes, plus those of Berth's own tables.
        // The seed's five indexes were missing in the original database and are there now; Berth's own tables bring theirs.
        Assert.Subset(indexes.ToHashSet(), SeedSchema.Indexes.ToHashSet());
        Assert.Contains("idx_sessions_user", indexes);
    }

    [Fact]
    public async Task AdoptedSeedTables_KeepTheirOriginalDdl()
    {
        await using (var db = _database.CreateContext())
        {
            await db.Database.MigrateAsync();
        }

        await using var connection = new SqliteConnection($"Data Source={_database.SqliteFile};Pooling=False");
        await connection.OpenAsync();
        foreach (var (table, ddl) in SeedDdl.Tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT sql FROM sqlite_master WHERE name = '{table}'";
            Assert.Equal(ddl, (string?)await command.ExecuteScalarAsync());
        }
    }
}
