using System.CommandLine;
using Berth.Server.Hosting;

namespace Berth.Server.Cli;

/// <summary>Options every command takes; each falls back to its environment variable.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> DataRoot = new("--data-root")
    {
        Description = "Folder of Berth's data (database, virtual servers). Env: BERTH_DATA_ROOT. Default: ./data",
        Recursive = true,
    };

    public static readonly Option<string?> Database = new("--database")
    {
        Description = "Database engine: sqlite (default) or postgresql. Env: BERTH_DATABASE",
        Recursive = true,
    };

    public static readonly Option<string?> ConnectionString = new("--connection-string")
    {
        Description = "PostgreSQL connection string. Env: BERTH_CONNECTION_STRING",
        Recursive = true,
    };

    public static BerthSettings Resolve(ParseResult parse) => BerthSettings.Resolve(
        parse.GetValue(DataRoot) ?? Environment.GetEnvironmentVariable("BERTH_DATA_ROOT"),
        parse.GetValue(Database) ?? Environment.GetEnvironmentVariable("BERTH_DATABASE"),
        parse.GetValue(ConnectionString) ?? Environment.GetEnvironmentVariable("BERTH_CONNECTION_STRING"));
}
