using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Data;

/// <summary>
/// What differs between database engines. Each provider project (Berth.Data.Sqlite,
/// Berth.Data.PostgreSql) has one implementation; the host picks one at start-up.
/// </summary>
public abstract class DatabaseProvider
{
    /// <summary>Short name for health output and logs: <c>sqlite</c> or <c>postgresql</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Where the data lives, without secrets (a file path, or host and database name).</summary>
    public abstract string Location { get; }

    public abstract void Configure(DbContextOptionsBuilder options);

    public abstract IDatabaseWriteGate CreateWriteGate();

    /// <summary>Runs before migrations: creates folders, sets persistent engine modes.</summary>
    public virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Whether <paramref name="exception"/> (or one it wraps) says the disk holding the database is full:
    /// the request gets 507 <c>STORAGE_FULL</c> rather than a 500, and nothing was written (the engine
    /// rolled the statement back). Each provider adds its engine's own "disk full" error.
    /// </summary>
    public virtual bool IsStorageFull(Exception exception) => Chain(exception).Any(e => e is IOException { HResult: DiskFullHResult });

    /// <summary>
    /// Whether <paramref name="exception"/> (or one it wraps) says the database cannot be reached right now
    /// (a server restarting, a connection cut): the request gets 503 <c>DATABASE_UNAVAILABLE</c>, and the
    /// next one tries again on a fresh connection.
    /// </summary>
    public virtual bool IsUnavailable(Exception exception) => false;

    /// <summary>The exception and every exception it wraps.</summary>
    protected static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>ENOSPC as .NET reports it in <see cref="Exception.HResult"/> on Linux.</summary>
    private const int DiskFullHResult = 28;

    /// <summary>Writes a consistent copy of the live database to <paramref name="destination"/> without stopping anyone.</summary>
    public abstract Task BackupAsync(string destination, CancellationToken cancellationToken);
}
