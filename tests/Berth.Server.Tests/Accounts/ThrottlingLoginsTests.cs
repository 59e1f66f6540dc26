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
    public async Task FailuresFromOneAddress_ThrottleThatAddress_AcrossAccounts()
    {
        await using var host = await BerthTestHost.StartAsync(customize: b => b.Services.Configure<LoginThrottleOptions>(o => o.AddressAttempts = 3));
        using var client = host.CreateApiClient();

        for (var i = 0; i < 3; i++)
        {
            var failed = await client.PostAsJsonAsync("/api/auth/login", new { email = $"guess{i}@example.com", password = "some-password" });
            await failed.AssertProblemAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        var throttled = await client.PostAsJsonAsync("/api/auth/login", new { email = BerthTestHost.AdminEmail, password = BerthTestHost.AdminPassword });
        await throttled.AssertProblemAsync(HttpStatusCode.TooManyRequests, "TOO_MANY_ATTEMPTS");
        Assert.True(throttled.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task SuccessfulLogins_DoNotUseUpTheAddressAllowance()
    {
        await using var host = await BerthTestHost.StartAsync(customize: b => b.Services.Configure<LoginThrottleOptions>(o => o.AddressAttempts = 2));

        for (var i = 0; i < 4; i++)
        {
            using var client = await host.LoginAsync();
        }
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
