using Microsoft.Data.Sqlite;

namespace Berth.Data.Sqlite;

/// <summary>
/// Online backup through SQLite's backup API: the copy is one consistent snapshot taken under a
/// read transaction, and in WAL mode the running service keeps writing meanwhile. The seed's
/// "stop the service and copy the file" is no longer needed.
/// </summary>
internal static class SqliteBackup
{
    public static async Task WriteAsync(string sourceConnectionString, string destination, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // Write next to the target and rename, so a failed backup never leaves a half-written file under the wanted name.
        var partial = target + ".partial";
        File.Delete(partial);
        try
        {
            await using (var source = new SqliteConnection(sourceConnectionString))
            await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
            {
                await source.OpenAsync(cancellationToken);
                await copy.OpenAsync(cancellationToken);
                source.BackupDatabase(copy);
                await using var check = copy.CreateCommand();
                check.CommandText = "PRAGMA integrity_check;";
                var result = (string?)await check.ExecuteScalarAsync(cancellationToken);
                if (result != "ok")
                {
                    throw new InvalidOperationException($"The backup copy failed its integrity check: {result}");
                }
            }

            File.Move(partial, target, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
