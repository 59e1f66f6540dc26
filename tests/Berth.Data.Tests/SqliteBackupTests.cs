using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Data.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Berth.Data.Tests;

/// <summary>Online backup: a consistent copy while another writer keeps writing.</summary>
public sealed class SqliteBackupTests() : DatabaseTestBase(ProviderKind.Sqlite)
{
    [Fact]
    public async Task Backup_DuringAWriteLoad_IsConsistent_AndOpensInBerth()
    {
        using var stop = new CancellationTokenSource();
        var gate = new SingleWriterGate();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var db = Context(gate);
                db.RecentActivity.AddRange(Enumerable.Range(0, 20).Select(i => new ActivityEntry { UserId = i, Message = new string('x', 200), Time = "2025-12-08 10:00:00" }));
                await db.SaveChangesAsync();
                Interlocked.Add(ref written, 20);
            }
        });

        using var copies = new TempDirectory("berth-backup");
        var outputs = new List<string>();
        Assert.True(await Poll.UntilAsync(() => Volatile.Read(ref written) >= 2000, interval: TimeSpan.FromMilliseconds(20)), "the writer did not get going");

        for (var i = 0; i < 3; i++)
        {
            var file = copies.Combine($"copy-{i}.db");
            // A second provider instance, as `berth backup` in another process would have.
            await new SqliteProvider(Database.SqliteFile).BackupAsync(file, CancellationToken.None);
            outputs.Add(file);
        }

        await stop.CancelAsync();
        await writer;

        var counts = new List<int>();
        foreach (var file in outputs)
        {
            Assert.False(File.Exists(file + ".partial"));
            await using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA integrity_check";
                Assert.Equal("ok", (string?)await command.ExecuteScalarAsync());
            }

            var copy = new SqliteProvider(file);
            var options = new DbContextOptionsBuilder<BerthDbContext>();
            copy.Configure(options);
            await using var db = new BerthDbContext(options.Options, new UnrestrictedWriteGate());
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            var count = await db.RecentActivity.CountAsync();
            // Whole transactions only: writes land in batches of 20.
            Assert.Equal(0, count % 20);
            counts.Add(count);
        }

        Assert.True(counts[0] >= 2000, $"the first copy has the rows written before it ({counts[0]})");
        Assert.True(counts.SequenceEqual(counts.Order()), "later copies have at least as many rows");
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Backup_ToAnUnwritablePlace_FailsWithoutPartialFile()
    {
        using var folder = new TempDirectory("berth-backup");
        var blocker = folder.Combine("not-a-folder");
        await File.WriteAllTextAsync(blocker, "a file where a folder is expected");

        await Assert.ThrowsAnyAsync<IOException>(() => Database.Provider.BackupAsync(Path.Combine(blocker, "copy.db"), CancellationToken.None));
        Assert.Single(Directory.GetFileSystemEntries(folder.Path));
    }
}
