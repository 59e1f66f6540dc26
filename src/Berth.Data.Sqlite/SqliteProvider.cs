using Berth.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Berth.Data.Sqlite;

/// <summary>The default database: one SQLite file in WAL mode, writes queued through one gate.</summary>
public sealed class SqliteProvider : DatabaseProvider
{
    /// <summary>How long a statement waits for another process's lock before failing.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    private readonly string _connectionString;

    public SqliteProvider(string databaseFile)
    {
        DatabaseFile = Path.GetFullPath(databaseFile);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabaseFile,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
    }

    public string DatabaseFile { get; }

    public override string Name => "sqlite";

    public override string Location => DatabaseFile;

    /// <summary>SQLITE_FULL (13): the database or its WAL could not grow.</summary>
    public override bool IsStorageFull(Exception exception) =>
        base.IsStorageFull(exception) || Chain(exception).Any(e => e is SqliteException { SqliteErrorCode: 13 });

    public override void Configure(DbContextOptionsBuilder options)
    {
        options.UseSqlite(_connectionString, sqlite => sqlite
            .MigrationsAssembly(typeof(SqliteProvider).Assembly.GetName().Name)
            .MigrationsHistoryTable(SeedSchema.MigrationsHistoryTable));
        options.ReplaceService<IMigrationsSqlGenerator, SeedSchemaMigrationsSqlGenerator>();
        options.AddInterceptors(SqliteConnectionSetup.Instance);
    }

    public override IDatabaseWriteGate CreateWriteGate() => new SingleWriterGate();

    public override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabaseFile)!);
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // WAL is a property of the file: readers (and online backups) never block the writer.
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override Task BackupAsync(string destination, CancellationToken cancellationToken) =>
        SqliteBackup.WriteAsync(_connectionString, destination, cancellationToken);
}
