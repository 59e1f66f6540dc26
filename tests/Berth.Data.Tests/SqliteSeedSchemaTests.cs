using Berth.Core.Data;
using Berth.Data.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Berth.Data.Tests;

/// <summary>On SQLite the seed's tables are exactly the seed's DDL, and WAL is on.</summary>
public sealed class SqliteSeedSchemaTests() : DatabaseTestBase(ProviderKind.Sqlite)
{
    [Theory]
    [InlineData("System_Users")]
    [InlineData("System_RegistrationCodes")]
    [InlineData("Hosting_VirtualServers")]
    [InlineData("Hosting_DockerContainers")]
    [InlineData("Hosting_DomainNames")]
    [InlineData("System_RecentActivity")]
    public async Task SeedTable_IsCreatedWithTheSeedDdlVerbatim(string table)
    {
        var stored = await ScalarAsync($"SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'");

        Assert.Equal(SeedDdl.Tables[table], stored);
        Assert.StartsWith($"CREATE TABLE {table} (", stored);
    }

    [Fact]
    public async Task SeedIndexes_AllFiveExist_WithTheSeedDefinitions()
    {
        foreach (var index in SeedSchema.Indexes)
        {
            Assert.Equal(SeedDdl.Indexes[index], await ScalarAsync($"SELECT sql FROM sqlite_master WHERE type = 'index' AND name = '{index}'"));
        }

        Assert.Equal(5, SeedDdl.Indexes.Count);
    }

    [Fact]
    public async Task SeedTables_GetNoExtraIndexes()
    {
        var extra = await ScalarAsync(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN " +
            "('System_Users','System_RegistrationCodes','Hosting_VirtualServers','Hosting_DockerContainers','Hosting_DomainNames','System_RecentActivity')");

        Assert.Equal("5", extra);
    }

    [Fact]
    public async Task JournalMode_IsWal()
    {
        Assert.Equal("wal", await ScalarAsync("PRAGMA journal_mode"));
    }

    [Fact]
    public void SeedDdl_HasTheSixTables()
    {
        Assert.Equal(SeedSchema.Tables.Order(), SeedDdl.Tables.Keys.Order());
    }

    private async Task<string?> ScalarAsync(string sql)
    {
        await using var db = Context();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
