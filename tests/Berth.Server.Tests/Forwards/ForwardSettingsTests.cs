using System.Net;
using System.Net.Http.Json;
using Berth.Core.Forwards;
using Berth.Data.Sqlite;
using Berth.Server.Hosting;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Berth.Server.Tests.Forwards;

/// <summary>The forward settings as <c>berth serve</c> reads them, and a database of the original platform with forwards.</summary>
public sealed class ForwardSettingsTests
{
    [Theory]
    [InlineData("30000-30029", 30000, 30029)]
    [InlineData(" 40000 - 40000 ", 40000, 40000)]
    [InlineData("5000", 5000, 5000)]
    public void ForwardPorts_ParseAsARange(string text, int first, int last) =>
        Assert.Equal((first, last), ServeSettings.ParseForwardPorts(text));

    [Theory]
    [InlineData("30029-30000")]
    [InlineData("0-10")]
    [InlineData("30000-70000")]
    [InlineData("abc")]
    [InlineData("1-2-3")]
    public void ForwardPorts_Wrong_NameTheFlag(string text) =>
        Assert.Contains("--forward-ports", Assert.Throws<SettingsException>(() => ServeSettings.ParseForwardPorts(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void ForwardHost_Wrong_NamesTheFlag()
    {
        Assert.Equal("ports.example.com", ServeSettings.ParseForwardHost(" ports.example.com "));
        Assert.Null(ServeSettings.ParseForwardHost(""));
        Assert.Contains("--forward-host", Assert.Throws<SettingsException>(() => ServeSettings.ParseForwardHost("a b")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongTunables_StopBerthAtStart()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => BerthTestHost.StartAsync(customize: builder =>
        {
            builder.Configuration["Berth:Forwards:BufferSize"] = "10";
            builder.Configuration["Berth:Forwards:MaxConnectionsPerForward"] = "0";
        }));
        Assert.Contains(nameof(ForwardsOptions.BufferSize), failure.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ForwardsOptions.MaxConnectionsPerForward), failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForwardsOfTheOriginalPlatform_AreAdoptedOnce()
    {
        var host = await BerthTestHost.StartAsync(prepare: WriteOriginalDatabaseAsync);
        try
        {
            await using (var db = host.Database.CreateContext())
            {
                // Kept: the first row of a port, of a live server, TCP. Skipped: a second row of the same port,
                // a deleted and an unknown server, UDP, a port out of range.
                var adopted = await db.PortForwards.OrderBy(f => f.PublicPort).ToListAsync();
                Assert.Equal([(1L, 30005, 22, "ssh")], adopted.Select(f => (f.VirtualServerId, f.PublicPort, f.InternalPort, f.Description)));
                db.PortForwards.RemoveRange(adopted);
                await db.SaveChangesAsync();
            }

            using var admin = await host.LoginAsync("admin@admin.com", "unused-admin-pass-1");
            var listed = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/servers/1/forwards");
            Assert.Equal(0, listed.GetArrayLength());

            host = await host.RestartAsync();
            await using var again = host.Database.CreateContext();
            Assert.Empty(await again.PortForwards.ToListAsync());
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Forwards_AreStored_OnBothDatabases_AndARaceForOnePort_GetsOne400(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        await using (var db = host.Database.CreateContext())
        {
            db.VirtualServers.Add(new Berth.Core.Servers.VirtualServer { Id = 1, OwnerId = 1, Name = "db box", CreatedAt = "2026-12-05 08:00:00", UpdatedAt = "2026-12-05 08:00:00" });
            await db.SaveChangesAsync();
        }

        using var admin = await host.LoginAsync();
        var racers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            admin.PostAsJsonAsync("/api/servers/1/forwards", new { publicPort = 30010, internalPort = 5432, description = $"racer {i}" })));
        Assert.Single(racers, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var lost in racers.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await lost.AssertProblemAsync(HttpStatusCode.BadRequest, ForwardRules.PortTaken);
        }

        var picked = await (await admin.PostAsJsonAsync("/api/servers/1/forwards", new { internalPort = 22 })).JsonAsync();
        Assert.Equal(30000, picked.GetProperty("publicPort").GetInt32());
        var id = picked.GetProperty("id").GetInt64();
        var moved = await admin.PutAsJsonAsync($"/api/servers/1/forwards/{id}", new { publicPort = 30001, internalPort = 2222, description = "ssh" });
        await moved.AssertStatusAsync(HttpStatusCode.OK);
        var listed = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/servers/1/forwards");
        Assert.Equal([(30001, 2222), (30010, 5432)], listed.EnumerateArray().Select(f => (f.GetProperty("publicPort").GetInt32(), f.GetProperty("internalPort").GetInt32())));
        await (await admin.DeleteAsync($"/api/servers/1/forwards/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await admin.DeleteAsync($"/api/servers/1/forwards/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "FORWARD_NOT_FOUND");
    }

    private static async Task WriteOriginalDatabaseAsync(TestDatabase database)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(database.SqliteFile)!);
        await using var connection = new SqliteConnection($"Data Source={database.SqliteFile};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        var hash = Berth.Core.Accounts.PasswordHasher.Hash("unused-admin-pass-1");
        command.CommandText = string.Join(";\n", SeedDdl.Tables.Values) + $"""
            ;
            INSERT INTO Hosting_VirtualServers VALUES (0, 0, 'HOST', 1, 0, '', '');
            INSERT INTO System_Users (ID, Email, Password, Admin, Enabled, LastLogin) VALUES (1, 'admin@admin.com', '{hash}', 1, 1, '');
            INSERT INTO Hosting_VirtualServers VALUES (1, 1, 'old one', 1, 0, '2025-12-01 10:00:00', '2025-12-01 10:00:00');
            INSERT INTO Hosting_VirtualServers VALUES (2, 1, 'gone', 0, 1, '2025-12-01 10:00:00', '2025-12-01 10:00:00');
            CREATE TABLE hosting_portforward (id INTEGER PRIMARY KEY, server_id INTEGER NOT NULL, public_port INTEGER NOT NULL,
                internal_port INTEGER NOT NULL, protocol TEXT NOT NULL DEFAULT 'tcp', description TEXT NOT NULL DEFAULT '');
            INSERT INTO hosting_portforward VALUES (1, 1, 30005, 22, 'tcp', 'ssh');
            INSERT INTO hosting_portforward VALUES (2, 1, 30005, 80, 'tcp', 'same port again');
            INSERT INTO hosting_portforward VALUES (3, 2, 30006, 80, 'tcp', 'deleted server');
            INSERT INTO hosting_portforward VALUES (4, 9, 30007, 80, 'tcp', 'unknown server');
            INSERT INTO hosting_portforward VALUES (5, 1, 30008, 27015, 'udp', 'game');
            INSERT INTO hosting_portforward VALUES (6, 1, 30009, 70000, 'tcp', 'bad port');
            """;
        await command.ExecuteNonQueryAsync();
    }
}
