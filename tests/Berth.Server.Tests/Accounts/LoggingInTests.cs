using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Berth.Core.Accounts;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Berth.Server.Tests.Accounts;

public sealed class LoggingInTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Login_WithRightPassword_SetsSessionCookie_UpdatesLastLogin_AndLogsActivity(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var client = host.CreateApiClient();

        var response = await client.PostAsJsonAsync("/api/auth/login", new { email = "  Admin@Admin.COM ", password = BerthTestHost.AdminPassword });

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        Assert.Equal("admin@admin.com", body.GetProperty("email").GetString());
        Assert.True(body.GetProperty("admin").GetBoolean());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, body.GetProperty("lastLogin").ValueKind);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("berth_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);

        var me = await (await client.GetAsync("/api/me")).JsonAsync();
        Assert.Equal("admin@admin.com", me.GetProperty("email").GetString());

        await using var db = host.Database.CreateContext();
        var admin = await db.Users.SingleAsync();
        Assert.NotEqual("", admin.LastLogin);
        var session = await db.Sessions.SingleAsync();
        Assert.Equal(64, session.TokenHash.Length);
        Assert.DoesNotContain(session.TokenHash, cookie, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", session.ClientAddress);
        Assert.Contains(await db.RecentActivity.ToListAsync(), a => a.UserId == admin.Id && a.Message == "User admin@admin.com logged in (IP: 127.0.0.1)");
    }

    [Fact]
    public async Task Login_UnknownEmail_WrongPassword_DisabledAccount_LookAlike_AndCostOneBcryptEach()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var disabledId = await admin.CreateUserAsync("off@example.com", "disabled-password");
        (await admin.PatchAsJsonAsync($"/api/users/{disabledId}", new { enabled = false })).EnsureSuccessStatusCode();
        await admin.CreateUserAsync("bob@example.com", "bobs-password");
        var verifier = host.Services.GetRequiredService<PasswordVerifier>();

        (string Case, string Email, string Password)[] attempts =
        [
            ("unknown email", "nobody@example.com", "whatever-password"),
            ("wrong password", "bob@example.com", "not-bobs-password"),
            ("disabled account, right password", "off@example.com", "disabled-password"),
            ("malformed email", "not an email", "whatever-password"),
            ("password longer than bcrypt reads", "bob@example.com", "bobs-password" + new string('x', 80)),
        ];
        var bodies = new List<string>();
        foreach (var (name, email, password) in attempts)
        {
            using var client = host.CreateApiClient();
            var before = verifier.Verifications;
            var watch = Stopwatch.StartNew();
            var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
            watch.Stop();

            var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
            Assert.Equal(1, verifier.Verifications - before);
            Assert.False(response.Headers.Contains("Set-Cookie"), name);
            bodies.Add($"{problem.GetProperty("title")}|{problem.GetProperty("detail")}|{problem.GetProperty("status")}");
            // The spread is reported, not asserted: wall-clock thresholds are noise on shared machines.
            output.WriteLine($"{name}: {watch.Elapsed.TotalMilliseconds:F1} ms");
        }

        Assert.Single(bodies.Distinct());

        using var good = host.CreateApiClient();
        var before2 = verifier.Verifications;
        (await good.PostAsJsonAsync("/api/auth/login", new { email = "bob@example.com", password = "bobs-password" })).EnsureSuccessStatusCode();
        Assert.Equal(1, verifier.Verifications - before2);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Login_Again_RotatesTheSession_AndLogout_EndsIt(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var client = await host.LoginAsync();
        var first = host.SessionTokenOf(client);

        using var again = await client.PostAsJsonAsync("/api/auth/login", new { email = BerthTestHost.AdminEmail, password = BerthTestHost.AdminPassword });
        again.EnsureSuccessStatusCode();
        var second = host.SessionTokenOf(client);

        Assert.NotEqual(first, second);
        await (await GetMeWithCookieAsync(host, first)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await (await GetMeWithCookieAsync(host, second)).AssertStatusAsync(HttpStatusCode.OK);

        await (await client.PostAsync("/api/auth/logout", null)).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await GetMeWithCookieAsync(host, second)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await (await client.GetAsync("/api/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await using var db = host.Database.CreateContext();
        Assert.Empty(await db.Sessions.ToListAsync());
        // The end of a session on purpose is in the account's history, like its start.
        Assert.Equal(1, await db.RecentActivity.CountAsync(a => a.Message == $"User {BerthTestHost.AdminEmail} logged out"));
    }

    [Fact]
    public async Task Anonymous_GetMe_Is401()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var client = host.CreateApiClient();

        await (await client.GetAsync("/api/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await (await GetMeWithCookieAsync(host, "forged-token-value")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task Logout_WithoutASession_IsStill204()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var client = host.CreateApiClient();

        await (await client.PostAsync("/api/auth/logout", null)).AssertStatusAsync(HttpStatusCode.NoContent);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Session_UnusedForItsIdleTimeout_Ends(ProviderKind kind)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        await using var host = await BerthTestHost.StartAsync(kind, customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var client = await host.LoginAsync();

        clock.Advance(SessionService.IdleTimeout - TimeSpan.FromMinutes(1));
        await (await client.GetAsync("/api/me")).AssertStatusAsync(HttpStatusCode.OK);
        clock.Advance(SessionService.IdleTimeout - TimeSpan.FromMinutes(1));
        await (await client.GetAsync("/api/me")).AssertStatusAsync(HttpStatusCode.OK);
        clock.Advance(SessionService.IdleTimeout + TimeSpan.FromSeconds(1));
        await (await client.GetAsync("/api/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    internal static async Task<HttpResponseMessage> GetMeWithCookieAsync(BerthTestHost host, string token)
    {
        using var raw = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Add("Cookie", $"berth_session={token}");
        return await raw.SendAsync(request);
    }
}
