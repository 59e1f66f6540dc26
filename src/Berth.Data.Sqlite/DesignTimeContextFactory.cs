using Berth.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Berth.Data.Sqlite;

/// <summary>Lets <c>dotnet ef migrations add</c> (scripts/add-migration.sh) build the model for this provider.</summary>
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<BerthDbContext>
{
    public BerthDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<BerthDbContext>();
        new SqliteProvider(Path.Combine(Path.GetTempPath(), "berth-design-time.db")).Configure(options);
        return new BerthDbContext(options.Options, new UnrestrictedWriteGate());
    }
}
