using System.CommandLine;
using Berth.Core.Data;

namespace Berth.Server.Cli;

internal static class BackupCommand
{
    public static Command Create()
    {
        var outFile = new Option<string>("--out") { Description = "File to write the backup to.", Required = true };
        var command = new Command("backup", "Write a consistent copy of the database while Berth keeps running.") { outFile };
        command.SetAction((parse, cancellationToken) => BerthCli.RunAsync(parse, async (settings, services, output, ct) =>
        {
            var destination = Path.GetFullPath(parse.GetValue(outFile)!);
            var provider = services.GetRequiredService<DatabaseProvider>();
            await provider.BackupAsync(destination, ct);
            await output.WriteLineAsync($"Backup of {provider.Location} written to {destination} (integrity check: ok).");
            return BerthCli.Ok;
        }, cancellationToken));
        return command;
    }
}
