using System.Net;
using System.Net.Http.Json;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Faults;

/// <summary>
/// PostgreSQL crashing and coming back under a running Berth: while it is down requests fail clearly (503
/// <c>DATABASE_UNAVAILABLE</c>, never a 500), and once it is back they succeed again within 30 seconds,
/// without a Berth restart.
/// </summary>
public sealed class RestartingPostgreSqlTests
{
    [Fact]
    public async Task WhilePostgreSqlIsDown_RequestsFailClearly_AndRecoverWithoutARestartOfBerth()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        using var dataRoot = new TempDirectory();
        await using var berth = await BerthProcess.StartAsync(dataRoot.Path, postgres.ConnectionString);
        using var admin = await FaultSteps.SignInAsync(berth);
        await FaultSteps.CreateUserAsync(admin, "before@example.com");

        await postgres.CrashAsync();

        foreach (var attempt in new[] { "down-1@example.com", "down-2@example.com" })
        {
            using var refused = await admin.PostAsJsonAsync("/api/users", new { email = attempt, password = "restart-password-1" });
            await refused.AssertStatusAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("DATABASE_UNAVAILABLE", (await refused.JsonAsync()).GetProperty("code").GetString());
        }

        using (var read = await admin.GetAsync("/api/users"))
        {
            await read.AssertStatusAsync(HttpStatusCode.ServiceUnavailable);
        }

        await postgres.StartServerAsync();

        // Convergence: pooled connections that died with the server are dropped as they are met.
        await Poll.UntilAsync(
            async () => (await admin.PostAsJsonAsync("/api/users", new { email = "after@example.com", password = "restart-password-1" })).StatusCode,
            status => status is HttpStatusCode.Created or HttpStatusCode.Conflict,
            timeout: TimeSpan.FromSeconds(30));
        var users = await admin.GetFromJsonAsync<List<FaultSteps.UserRow>>("/api/users");
        Assert.Contains(users!, u => u.Email == "before@example.com");
        Assert.Contains(users!, u => u.Email == "after@example.com");
        Assert.DoesNotContain(users!, u => u.Email.StartsWith("down-", StringComparison.Ordinal));
    }
}
