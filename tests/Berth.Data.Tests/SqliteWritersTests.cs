using Berth.Core.Activity;
using Berth.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Berth.Data.Tests;

/// <summary>Many writers at once on SQLite: none of them sees "database is locked".</summary>
public sealed class SqliteWritersTests() : DatabaseTestBase(ProviderKind.Sqlite)
{
    [Fact]
    public async Task ConcurrentWriters_InTwoProcessesWorthOfGates_AllSucceed()
    {
        // Two gates stand for two processes (serve and a CLI command) on the same file.
        var gateA = new SingleWriterGate();
        var gateB = new SingleWriterGate();
        const int WritersPerGate = 6;
        const int WritesPerWriter = 40;

        var writers = Enumerable.Range(0, WritersPerGate * 2).Select(i => Task.Run(async () =>
        {
            for (var n = 0; n < WritesPerWriter; n++)
            {
                await using var db = Context(i % 2 == 0 ? gateA : gateB);
                db.RecentActivity.Add(new ActivityEntry { UserId = i, Message = $"write {n}", Time = "2025-12-08 10:00:00" });
                if (n % 5 == 0)
                {
                    // A read-then-write transaction, the shape that fails fastest without queueing.
                    await db.InWriteTransactionAsync(async ct =>
                    {
                        var count = await db.RecentActivity.CountAsync(ct);
                        db.RecentActivity.Add(new ActivityEntry { UserId = i, Message = $"after {count}", Time = "2025-12-08 10:00:00" });
                        return await db.SaveChangesAsync(ct);
                    }, CancellationToken.None);
                }
                else
                {
                    await db.SaveChangesAsync();
                }
            }
        }));
        await Task.WhenAll(writers);

        await using var check = Context();
        Assert.Equal(WritersPerGate * 2 * (WritesPerWriter + (WritesPerWriter / 5)), await check.RecentActivity.CountAsync());
    }

    [Fact]
    public async Task FailedTransaction_LeavesNothingBehind()
    {
        await using var db = Context(new SingleWriterGate());

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.InWriteTransactionAsync<int>(async ct =>
        {
            db.RecentActivity.Add(new ActivityEntry { UserId = 1, Message = "first half", Time = "2025-12-08 10:00:00" });
            await db.SaveChangesAsync(ct);
            throw new InvalidOperationException("second half failed");
        }, CancellationToken.None));

        await using var check = Context();
        Assert.Equal(0, await check.RecentActivity.CountAsync());
    }
}
