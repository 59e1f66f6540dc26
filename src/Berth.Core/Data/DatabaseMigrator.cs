using Berth.Core.Forwards;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Data;

/// <summary>Brings the database to the current schema: used by <c>berth migrate</c> and at <c>serve</c> start.</summary>
public sealed class DatabaseMigrator(DatabaseProvider provider, IDbContextFactory<BerthDbContext> contexts)
{
    public async Task<MigrationReport> MigrateAsync(CancellationToken cancellationToken)
    {
        await provider.PrepareAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        // Data of the original platform that lives outside the seed's tables is adopted once, after the schema exists.
        await LegacyForwards.AdoptAsync(db, TimeProvider.System, cancellationToken);
        return new MigrationReport(pending, await SchemaVersionAsync(db, cancellationToken));
    }

    /// <summary>The last applied migration: the schema-version record.</summary>
    public static async Task<string?> SchemaVersionAsync(BerthDbContext db, CancellationToken cancellationToken) =>
        (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault();
}

public sealed record MigrationReport(IReadOnlyList<string> Applied, string? SchemaVersion);
