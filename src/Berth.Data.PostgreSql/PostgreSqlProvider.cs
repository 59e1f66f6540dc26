using Berth.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Berth.Data.PostgreSql;

/// <summary>PostgreSQL for larger installations: the same model, with the seed's section 9.1 type mapping.</summary>
public sealed class PostgreSqlProvider(string connectionString) : DatabaseProvider
{
    public override string Name => "postgresql";

    public override string Location
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port}/{builder.Database}";
        }
    }

    public override void Configure(DbContextOptionsBuilder options) =>
        options.UseNpgsql(connectionString, npgsql => npgsql
            .MigrationsAssembly(typeof(PostgreSqlProvider).Assembly.GetName().Name)
            .MigrationsHistoryTable(SeedSchema.MigrationsHistoryTable));

    // PostgreSQL handles concurrent writers itself.
    /// <summary>SQLSTATE 53100 disk_full (class 53: insufficient resources).</summary>
    public override bool IsStorageFull(Exception exception) =>
        base.IsStorageFull(exception) || Chain(exception).Any(e => e is PostgresException { SqlState: "53100" });

    /// <summary>A connection refused or cut, or the server shutting down or starting up (SQLSTATE class 57P).</summary>
    public override bool IsUnavailable(Exception exception) => Chain(exception).Any(e =>
        e is PostgresException { SqlState: ['5', '7', 'P', ..] } || e is NpgsqlException { InnerException: System.Net.Sockets.SocketException or IOException or EndOfStreamException });

    public override IDatabaseWriteGate CreateWriteGate() => new UnrestrictedWriteGate();

    public override Task BackupAsync(string destination, CancellationToken cancellationToken) =>
        throw new DatabaseOperationException(
            "berth backup copies SQLite databases. For PostgreSQL use pg_dump, which takes a consistent " +
            "snapshot while Berth runs: pg_dump --format=custom --file FILE 'CONNECTION STRING' " +
            "(see docs/operations/backup.md).");
}
