using System.Net;
using System.Net.Http.Json;
using Berth.Data.Sqlite;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Berth.Server.Tests.Accounts;

/// <summary>A database.db written by the original platform: its users keep their passwords.</summary>
public sealed class AdoptingAnOriginalDatabaseTests
{
    /// <summary>Made by the original platform's library (Python bcrypt, <c>$2b$</c>, cost 12) for "old-platform-pass".</summary>
    private const string OriginalHash = "$2b$12$SaH6e3ioL1jhmx2jAtj.TemZiVZhigcEVHeTjqluI8wUoeQLhdEgy";

    [Fact]
    public async Task UsersOfTheOriginalPlatform_LogInWithTheirOldPasswords()
    {
        await using var host = await BerthTestHost.StartAsync(prepare: WriteOriginalDatabaseAsync);
        using var client = host.CreateApiClient();

        var admin = await client.PostAsJsonAsync("/api/auth/login", new { email = "admin@admin.com", password = "old-platform-pass" });
        await admin.AssertStatusAsync(HttpStatusCode.OK);
        Assert.True((await admin.JsonAsync()).GetProperty("admin").GetBoolean());

        // An email stored with capitals by the original platform still matches, and a NULL Admin is a plain user.
        using var user = await host.LoginAsync("user@example.com", "old-platform-pass");
        var me = await (await user.GetAsync("/api/me")).JsonAsync();
        Assert.Equal(2, me.GetProperty("id").GetInt64());
        Assert.False(me.GetProperty("admin").GetBoolean());
        await (await user.GetAsync("/api/users")).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");

        using var wrong = host.CreateApiClient();
        await (await wrong.PostAsJsonAsync("/api/auth/login", new { email = "user@example.com", password = "not-the-old-pass" }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");

        await using var db = host.Database.CreateContext();
        var adopted = await db.Users.OrderBy(u => u.Id).ToListAsync();
        Assert.Equal([1L, 2L], adopted.Select(u => u.Id));
        Assert.All(adopted, u => Assert.Equal(OriginalHash, u.Password));
        Assert.NotEqual("2025-12-07 15:45:00", adopted[1].LastLogin);
        Assert.Contains(await db.RecentActivity.Select(a => a.Message).ToListAsync(), m => m == "Virtual server #1 created");
    }

    private static async Task WriteOriginalDatabaseAsync(TestDatabase database)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(database.SqliteFile)!);
        await using var connection = new SqliteConnection($"Data Source={database.SqliteFile};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = string.Join(";\n", SeedDdl.Tables.Values) + $"""
            ;
            INSERT INTO Hosting_VirtualServers VALUES (0, 0, 'HOST', 1, 0, '', '');
            INSERT INTO System_Users (ID, Email, Password, Admin, Enabled, LastLogin) VALUES (1, 'admin@admin.com', '{OriginalHash}', 1, 1, '2025-12-08 10:30:00');
            INSERT INTO System_Users (ID, Email, Password, Admin, Enabled, LastLogin) VALUES (2, 'User@Example.com', '{OriginalHash}', NULL, 1, '2025-12-07 15:45:00');
            INSERT INTO System_RecentActivity (UserID, Message, Time) VALUES (2, 'Virtual server #1 created', '2025-12-08 10:35:00');
            """;
        await command.ExecuteNonQueryAsync();
    }
}
