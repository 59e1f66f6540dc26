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

    /// <summary>Writes a consistent copy of the live database to <paramref name="destination"/> without stopping anyone.</summary>
    public abstract Task BackupAsync(string destination, CancellationToken cancellationToken);
}
