using System.Net;
using System.Net.Http.Json;
using Berth.Core.Accounts;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Server.Tests.Accounts;

public sealed class ThrottlingLoginsTests
{
    [Fact]
    public async Task FiveFailures_ThrottleTheAccount_EvenForTheRightPassword_UntilTheWindowPasses()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        await using var host = await BerthTestHost.StartAsync(customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var client = host.CreateApiClient();
        var verifier = host.Services.GetRequiredService<PasswordVerifier>();

        for (var i = 0; i < 5; i++)
        {
            var failed = await client.PostAsJsonAsync("/api/auth/login", new { email = BerthTestHost.AdminEmail, password = $"wrong-password-{i}" });
            await failed.AssertProblemAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        var before = verifier.Verifications;
        var throttled = await client.PostAsJsonAsync("/api/auth/login", new { email = BerthTestHost.AdminEmail, password = BerthTestHost.AdminPassword });

        await throttled.AssertProblemAsync(HttpStatusCode.TooManyRequests, "TOO_MANY_ATTEMPTS");
        var retryAfter = int.Parse(Assert.Single(throttled.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 15 * 60);
        Assert.Equal(before, verifier.Verifications);

        clock.Advance(TimeSpan.FromMinutes(15));
        (await client.PostAsJsonAsync("/api/auth/login", new { email = BerthTestHost.AdminEmail, password = BerthTestHost.AdminPassword })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task FailuresFromOneAddress_OnManyAccounts_SlowThatAddress()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        await using var host = await BerthTestHost.StartAsync(customize: b =>
        {
            b.Services.AddSingleton<TimeProvider>(clock);
            b.Services.Configure<LoginThrottleOptions>(o => o.AddressSlowAfter = 3);
        });
        using var client = host.CreateApiClient();

        for (var i = 0; i < 3; i++)
        {
            var failed = await client.PostAsJsonAsync("/api/auth/login", new { email = $"guess{i}@example.com", password = "some-password" });
            await failed.AssertProblemAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        var throttled = await client.PostAsJsonAsync("/api/auth/login", new { email = BerthTestHost.AdminEmail, password = BerthTestHost.AdminPassword });
        await throttled.AssertProblemAsync(HttpStatusCode.TooManyRequests, "TOO_MANY_ATTEMPTS");
        Assert.Equal("1", Assert.Single(throttled.Headers.GetValues("Retry-After")));

        clock.Advance(TimeSpan.FromSeconds(1));
        (await client.PostAsJsonAsync("/api/auth/login", new { email = BerthTestHost.AdminEmail, password = BerthTestHost.AdminPassword })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task SuccessfulLogins_DoNotUseUpTheAddressAllowance()
    {
        await using var host = await BerthTestHost.StartAsync(customize: b => b.Services.Configure<LoginThrottleOptions>(o => o.AddressSlowAfter = 2));

        for (var i = 0; i < 4; i++)
        {
            using var client = await host.LoginAsync();
        }
    }

    [Fact]
    public async Task AnAttackerFailing50TimesOnAlice_DoesNotStopHerFromHerBrowser_NorFromAFreshAddress()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        await using var host = await BerthTestHost.StartAsync(customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using (var admin = await host.LoginAsync())
        {
            await admin.CreateUserAsync("alice@example.com", "alice-password-1");
        }

        // Her own browser signed in before: it holds a device cookie.
        using var browser = host.CreateApiClient(source: IPAddress.Parse("127.0.0.2"));
        await SignInAsync(browser, "alice@example.com", "alice-password-1", HttpStatusCode.OK);
        await (await browser.PostAsync("/api/auth/logout", null)).AssertStatusAsync(HttpStatusCode.NoContent);

        using var attacker = host.CreateApiClient(source: IPAddress.Parse("127.0.0.3"));
        var verifier = host.Services.GetRequiredService<PasswordVerifier>();
        var before = verifier.Verifications;
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 50; i++)
        {
            using var response = await attacker.PostAsJsonAsync("/api/auth/login", new { email = "alice@example.com", password = $"guess-{i}" });
            answers.Add(response.StatusCode);
        }

        // Five guesses reached bcrypt; the other 45 were refused before it, and even the right password is refused from there.
        Assert.Equal(5, answers.Count(a => a == HttpStatusCode.Unauthorized));
        Assert.Equal(45, answers.Count(a => a == HttpStatusCode.TooManyRequests));
        Assert.Equal(before + 5, verifier.Verifications);
        await SignInAsync(attacker, "alice@example.com", "alice-password-1", HttpStatusCode.TooManyRequests);

        // No time passes: Alice gets in from her browser, and from a machine she never used.
        await SignInAsync(browser, "alice@example.com", "alice-password-1", HttpStatusCode.OK);
        using var fresh = host.CreateApiClient(source: IPAddress.Parse("127.0.0.4"));
        await SignInAsync(fresh, "alice@example.com", "alice-password-1", HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnAttackFromManyAddresses_SlowsTheAccount_ButNotItsOwnersBrowser()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        await using var host = await BerthTestHost.StartAsync(customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using (var admin = await host.LoginAsync())
        {
            await admin.CreateUserAsync("alice@example.com", "alice-password-1");
        }

        using var browser = host.CreateApiClient(source: IPAddress.Parse("127.0.0.2"));
        await SignInAsync(browser, "alice@example.com", "alice-password-1", HttpStatusCode.OK);

        // Ten addresses, five guesses each (each pair's limit): the account passes its threshold and
        // the later guesses are refused before bcrypt.
        var answers = new List<HttpStatusCode>();
        for (var n = 0; n < 10; n++)
        {
            using var bot = host.CreateApiClient(source: IPAddress.Parse($"127.0.1.{n + 1}"));
            for (var i = 0; i < 5; i++)
            {
                using var response = await bot.PostAsJsonAsync("/api/auth/login", new { email = "alice@example.com", password = $"guess-{n}-{i}" });
                answers.Add(response.StatusCode);
            }
        }

        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LoginThrottleOptions>>().Value;
        Assert.Equal(options.AccountSlowAfter, answers.Count(a => a == HttpStatusCode.Unauthorized));

        using var fresh = host.CreateApiClient(source: IPAddress.Parse("127.0.0.4"));
        var slowed = await fresh.PostAsJsonAsync("/api/auth/login", new { email = "alice@example.com", password = "alice-password-1" });
        await slowed.AssertProblemAsync(HttpStatusCode.TooManyRequests, "TOO_MANY_ATTEMPTS");
        Assert.InRange(int.Parse(Assert.Single(slowed.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture), 1, 60);

        await SignInAsync(browser, "alice@example.com", "alice-password-1", HttpStatusCode.OK);
    }

    [Fact]
    public async Task SixtyStudentsBehindOneAddress_EachMistypingTwice_AllGetIn()
    {
        await using var host = await BerthTestHost.StartAsync();
        using (var admin = await host.LoginAsync())
        {
            await Task.WhenAll(Enumerable.Range(0, 60).Select(i => admin.CreateUserAsync($"student{i}@example.com", $"student-password-{i}")));
        }

        var lab = IPAddress.Parse("127.0.0.5");
        var admitted = 0;
        // Six at a time, as people in a room type: each mistypes twice, then gets it right.
        foreach (var group in Enumerable.Range(0, 60).Chunk(6))
        {
            await Task.WhenAll(group.Select(async i =>
            {
                using var student = host.CreateApiClient(source: lab);
                await SignInAsync(student, $"student{i}@example.com", $"student-password-{i}x", HttpStatusCode.Unauthorized);
                await SignInAsync(student, $"student{i}@example.com", $"Student-password-{i}", HttpStatusCode.Unauthorized);
                await SignInAsync(student, $"student{i}@example.com", $"student-password-{i}", HttpStatusCode.OK);
                Interlocked.Increment(ref admitted);
            }));
        }

        Assert.Equal(60, admitted);
    }

    [Fact]
    public async Task CredentialStuffingFromOneAddress_IsSlowed_ThenRefused_AtNoBcryptCost()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        await using var host = await BerthTestHost.StartAsync(customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var stuffer = host.CreateApiClient(source: IPAddress.Parse("127.0.0.6"));
        var verifier = host.Services.GetRequiredService<PasswordVerifier>();
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LoginThrottleOptions>>().Value;

        // 200 accounts, one wrong password each, as fast as the answers come: the first ones are
        // checked, then every attempt is refused before bcrypt.
        var answers = new List<HttpStatusCode>();
        var before = verifier.Verifications;
        for (var i = 0; i < 200; i++)
        {
            using var response = await stuffer.PostAsJsonAsync("/api/auth/login", new { email = $"victim{i}@example.com", password = "Summer2026!" });
            answers.Add(response.StatusCode);
        }

        Assert.All(answers.Take(options.AddressSlowAfter), a => Assert.Equal(HttpStatusCode.Unauthorized, a));
        Assert.All(answers.Skip(options.AddressSlowAfter), a => Assert.Equal(HttpStatusCode.TooManyRequests, a));
        Assert.Equal(before + options.AddressSlowAfter, verifier.Verifications);

        // A refusal reads the same for a real account and an unknown one.
        var known = await stuffer.PostAsJsonAsync("/api/auth/login", new { email = BerthTestHost.AdminEmail, password = "Summer2026!" });
        var unknown = await stuffer.PostAsJsonAsync("/api/auth/login", new { email = "nobody-at-all@example.com", password = "Summer2026!" });
        Assert.Equal(HttpStatusCode.TooManyRequests, known.StatusCode);
        Assert.Equal(await RefusalAsync(unknown), await RefusalAsync(known));
        Assert.Equal(unknown.Headers.GetValues("Retry-After"), known.Headers.GetValues("Retry-After"));

        // One that waits as told is slowed: each wait twice the last, up to the longest.
        var waits = new List<int>();
        for (var i = 0; i < 9; i++)
        {
            var wait = int.Parse(Assert.Single(known.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
            waits.Add(wait);
            clock.Advance(TimeSpan.FromSeconds(wait));
            await SignInAsync(stuffer, $"patient{i}@example.com", "Summer2026!", HttpStatusCode.Unauthorized);
            known = await stuffer.PostAsJsonAsync("/api/auth/login", new { email = $"patient-next{i}@example.com", password = "Summer2026!" });
            Assert.Equal(HttpStatusCode.TooManyRequests, known.StatusCode);
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60], waits);
    }

    [Fact]
    public async Task ATamperedDeviceCookie_CountsAsNone()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var client = host.CreateApiClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { email = BerthTestHost.AdminEmail, password = BerthTestHost.AdminPassword }),
        };
        request.Headers.Add("Cookie", "berth_device=CfDJ8not-a-real-token");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("berth_device=", StringComparison.Ordinal) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A refusal's body without its trace id (one per request).</summary>
    private static async Task<string> RefusalAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();
        body!.Remove("traceId");
        return body.ToJsonString();
    }

    private static async Task SignInAsync(HttpClient client, string email, string password, HttpStatusCode expected)
    {
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.True(response.StatusCode == expected, $"{email}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task GuessingTheCurrentPassword_FromASession_IsThrottledLikeLogin()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();

        for (var i = 0; i < 5; i++)
        {
            await (await admin.PostAsJsonAsync("/api/me/password", new { currentPassword = $"guess-number-{i}", newPassword = "new-password-1" }))
                .AssertProblemAsync(HttpStatusCode.BadRequest, "WRONG_PASSWORD");
        }

        await (await admin.PostAsJsonAsync("/api/me/password", new { currentPassword = BerthTestHost.AdminPassword, newPassword = "new-password-1" }))
            .AssertProblemAsync(HttpStatusCode.TooManyRequests, "TOO_MANY_ATTEMPTS");
    }

    [Fact]
    public async Task HugeEmails_AreThrottledTogether_AsOneImpossibleAccount()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var client = host.CreateApiClient();

        for (var i = 0; i < 5; i++)
        {
            var email = new string((char)('a' + i), 300) + "@example.com";
            await (await client.PostAsJsonAsync("/api/auth/login", new { email, password = "some-password" }))
                .AssertProblemAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        await (await client.PostAsJsonAsync("/api/auth/login", new { email = new string('z', 300) + "@example.com", password = "some-password" }))
            .AssertProblemAsync(HttpStatusCode.TooManyRequests, "TOO_MANY_ATTEMPTS");
    }
}
