using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Berth.Server.Tests.Faults;

/// <summary>
/// <c>kill -9</c> of <c>berth serve</c> in the middle of a burst of concurrent writes: after a restart the
/// database is intact, every write that was answered 2xx is there, and Berth serves again within a minute.
/// </summary>
public sealed class KillingBerthMidWriteTests
{
    private const int Writers = 8;
    private const int KillAfterAcknowledged = 40;

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task EveryAcknowledgedWrite_SurvivesAKill_AndTheDatabaseIsIntact(ProviderKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind);
        var acknowledged = new ConcurrentBag<string>();
        await using (var berth = await BerthProcess.StartAsync(database))
        {
            using var admin = await FaultSteps.SignInAsync(berth);
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(w => WriteUntilStoppedAsync(admin, w, acknowledged, stop.Token)).ToList();

            // Killed while every writer has a request in flight.
            await Poll.UntilAsync(() => acknowledged.Count >= KillAfterAcknowledged, timeout: TimeSpan.FromSeconds(60));
            await berth.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        if (kind == ProviderKind.Sqlite)
        {
            Assert.Equal("ok", await FaultSteps.IntegrityCheckAsync(database.SqliteFile));
        }

        // Convergence: the restarted Berth answers within a minute (BerthProcess.StartAsync's bound).
        await using var restarted = await BerthProcess.StartAsync(database);
        using var again = await FaultSteps.SignInAsync(restarted);
        var users = await again.GetFromJsonAsync<List<FaultSteps.UserRow>>("/api/users");
        var present = users!.Select(u => u.Email).ToHashSet(StringComparer.Ordinal);
        var lost = acknowledged.Where(email => !present.Contains(email)).ToList();
        Assert.True(lost.Count == 0, $"acknowledged but lost after the kill: {string.Join(", ", lost)}");
        Assert.True(acknowledged.Count >= KillAfterAcknowledged);
        await using var db = database.CreateContext();
        Assert.Equal(await db.Users.CountAsync(), users!.Count);
    }

    /// <summary>Creates users one after another until stopped or until Berth is gone; records those answered 201.</summary>
    private static async Task WriteUntilStoppedAsync(HttpClient admin, int writer, ConcurrentBag<string> acknowledged, CancellationToken stop)
    {
        for (var i = 0; i < 10_000 && !stop.IsCancellationRequested; i++)
        {
            var email = $"burst-{writer}-{i}@example.com";
            try
            {
                using var response = await admin.PostAsJsonAsync("/api/users", new { email, password = "burst-password-1" }, CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    acknowledged.Add(email);
                }
            }
            catch (HttpRequestException)
            {
                // Killed under this request: it was never acknowledged, so it may or may not be there.
                return;
            }
        }
    }

}
