using System.CommandLine;
using Berth.Core.Data;

namespace Berth.Server.Cli;

internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Create or upgrade the database schema (also adopts a database.db of the original platform).");
        command.SetAction((parse, cancellationToken) => BerthCli.RunAsync(parse, async (settings, services, output, ct) =>
        {
            var provider = services.GetRequiredService<DatabaseProvider>();
            var report = await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
            await output.WriteLineAsync(report.Applied.Count == 0
                ? $"Database {provider.Location} is up to date (schema {report.SchemaVersion})."
                : $"Database {provider.Location} migrated to schema {report.SchemaVersion} ({report.Applied.Count} migration(s) applied).");
            return BerthCli.Ok;
        }, cancellationToken));
        return command;
    }
}
