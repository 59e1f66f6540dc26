using Berth.Core.Data;
using Berth.Data.PostgreSql;
using Berth.Data.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Berth.TestUtilities;

public enum ProviderKind
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// An empty database of its own for one test: a SQLite file in a temp folder, or a new database
/// on the PostgreSQL server that scripts/test.sh started (BERTH_TEST_POSTGRES).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly string? _postgresAdmin;
    private readonly string? _postgresName;

    private TestDatabase(TempDirectory directory, ProviderKind kind, DatabaseProvider provider, string? connectionString, string? postgresAdmin, string? postgresName)
    {
        _directory = directory;
        Kind = kind;
        Provider = provider;
        ConnectionString = connectionString;
        _postgresAdmin = postgresAdmin;
        _postgresName = postgresName;
    }

    public ProviderKind Kind { get; }

    public DatabaseProvider Provider { get; }

    /// <summary>The PostgreSQL connection string; null for SQLite.</summary>
    public string? ConnectionString { get; }

    /// <summary>Folder usable as the data root (holds the SQLite file for SQLite).</summary>
    public string DataRoot => _directory.Path;

    public string SqliteFile => Path.Combine(DataRoot, "_DATA", "control-backend", "database.db");

    public static async Task<TestDatabase> CreateAsync(ProviderKind kind)
    {
        var directory = new TempDirectory("berth-db");
        if (kind == ProviderKind.Sqlite)
        {
            var file = Path.Combine(directory.Path, "_DATA", "control-backend", "database.db");
            return new TestDatabase(directory, kind, new SqliteProvider(file), null, null, null);
        }

        var admin = RequiredService.Get("BERTH_TEST_POSTGRES", "A PostgreSQL server");
        var name = $"berth_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE \"{name}\"";
            await command.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
        return new TestDatabase(directory, kind, new PostgreSqlProvider(connectionString), connectionString, admin, name);
    }

    /// <summary>A context on this database with the provider's write gate, outside any host.</summary>
    public BerthDbContext CreateContext(IDatabaseWriteGate? gate = null)
    {
        var options = new DbContextOptionsBuilder<BerthDbContext>();
        Provider.Configure(options);
        return new BerthDbContext(options.Options, gate ?? new UnrestrictedWriteGate());
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        if (_postgresAdmin is not null)
        {
            await using var connection = new NpgsqlConnection(_postgresAdmin);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)";
            await command.ExecuteNonQueryAsync();
        }

        _directory.Dispose();
    }
}
