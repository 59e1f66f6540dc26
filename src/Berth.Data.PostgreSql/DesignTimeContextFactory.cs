using Berth.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Berth.Data.PostgreSql;

/// <summary>Lets <c>dotnet ef migrations add</c> (scripts/add-migration.sh) build the model; no server is contacted.</summary>
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<BerthDbContext>
{
    public BerthDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<BerthDbContext>();
        new PostgreSqlProvider("Host=127.0.0.1;Database=berth_design_time").Configure(options);
        return new BerthDbContext(options.Options, new UnrestrictedWriteGate());
    }
}
