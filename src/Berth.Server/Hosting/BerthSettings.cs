using Berth.Core.Data;
using Berth.Data.PostgreSql;
using Berth.Data.Sqlite;
using Npgsql;

namespace Berth.Server.Hosting;

public enum DatabaseKind
{
    Sqlite,
    PostgreSql,
}

/// <summary>Where Berth keeps its data and which database it uses: shared by every CLI command.</summary>
public sealed record BerthSettings(string DataRoot, DatabaseKind Database, string? ConnectionString)
{
    public const string DefaultDataRoot = "./data";

    /// <summary>The seed's location of the database, under the data root.</summary>
    public string SqliteFile => Path.Combine(DataRoot, "_DATA", "control-backend", "database.db");

    /// <summary>Virtual servers' data: <c>SERVERS/&lt;id&gt;/</c>.</summary>
    public string ServersRoot => Path.Combine(DataRoot, "SERVERS");

    public DatabaseProvider CreateProvider() => Database switch
    {
        DatabaseKind.PostgreSql => new PostgreSqlProvider(ConnectionString!),
        _ => new SqliteProvider(SqliteFile),
    };

    /// <summary>
    /// Checks raw option/environment values and builds settings, or fails naming the setting
    /// (the CLI option and its environment variable) and what it expected.
    /// </summary>
    public static BerthSettings Resolve(string? dataRoot, string? database, string? connectionString)
    {
        var root = string.IsNullOrWhiteSpace(dataRoot) ? DefaultDataRoot : dataRoot;
        try
        {
            root = Path.GetFullPath(root);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new SettingsException($"--data-root (BERTH_DATA_ROOT): '{dataRoot}' is not a usable path: {e.Message}");
        }

        var kind = (database ?? "sqlite").Trim().ToLowerInvariant() switch
        {
            "sqlite" or "" => DatabaseKind.Sqlite,
            "postgresql" or "postgres" => DatabaseKind.PostgreSql,
            _ => throw new SettingsException($"--database (BERTH_DATABASE): expected 'sqlite' or 'postgresql', got '{database}'."),
        };

        if (kind == DatabaseKind.PostgreSql)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new SettingsException("--connection-string (BERTH_CONNECTION_STRING) is required when --database is postgresql, e.g. 'Host=127.0.0.1;Port=5432;Database=berth;Username=berth'.");
            }

            try
            {
                _ = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException e)
            {
                throw new SettingsException($"--connection-string (BERTH_CONNECTION_STRING) is not a valid PostgreSQL connection string: {e.Message}");
            }
        }
        else if (!string.IsNullOrWhiteSpace(connectionString))
        {
            throw new SettingsException("--connection-string (BERTH_CONNECTION_STRING) applies to PostgreSQL only; the SQLite database lives under --data-root.");
        }

        return new BerthSettings(root, kind, kind == DatabaseKind.PostgreSql ? connectionString : null);
    }
}

/// <summary>Invalid configuration: the message names the setting.</summary>
public sealed class SettingsException(string message) : Exception(message);
