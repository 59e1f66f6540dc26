using Berth.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Berth.Data.Tests;

/// <summary>
/// Every data test runs once per provider: a derived class per provider picks the kind, and
/// each test gets a freshly migrated database of its own.
/// </summary>
public abstract class DatabaseTestBase(ProviderKind kind) : IAsyncLifetime
{
    protected TestDatabase Database { get; private set; } = null!;

    protected ProviderKind Kind { get; } = kind;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(Kind);
        await Database.Provider.PrepareAsync(CancellationToken.None);
        await using var db = Database.CreateContext();
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync() => await Database.DisposeAsync();

    protected BerthDbContext Context(IDatabaseWriteGate? gate = null) => Database.CreateContext(gate);
}
