using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Server.Tests.Accounts;

public sealed partial class RegisteringWithACodeTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Code_IsGenerated_Read_Replaced_AndConsumedByRegistration(ProviderKind kind)
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await BerthTestHost.StartAsync(kind, customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var admin = await host.LoginAsync();

        var generated = await admin.PostAsync("/api/registration-code", null);
        await generated.AssertStatusAsync(HttpStatusCode.Created);
        var body = await generated.JsonAsync();
        var first = body.GetProperty("code").GetString()!;
        Assert.Matches(CodeShape(), first);
        Assert.Equal(Start.AddMinutes(30), body.GetProperty("validUntil").GetDateTimeOffset());
        Assert.Equal(first, (await (await admin.GetAsync("/api/registration-code")).JsonAsync()).GetProperty("code").GetString());

        var second = await admin.GenerateCodeAsync();
        Assert.NotEqual(first, second);
        Assert.Equal(second, (await (await admin.GetAsync("/api/registration-code")).JsonAsync()).GetProperty("code").GetString());

        using var visitor = host.CreateApiClient();
        var replaced = await visitor.PostAsJsonAsync("/api/auth/register", new { code = first, email = "alice@example.com", password = "alices-password" });
        await replaced.AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_REGISTRATION_CODE");

        var registered = await visitor.PostAsJsonAsync("/api/auth/register", new { code = second.ToLowerInvariant(), email = " Alice@Example.com", password = "alices-password" });
        await registered.AssertStatusAsync(HttpStatusCode.Created);
        var user = await registered.JsonAsync();
        Assert.Equal("alice@example.com", user.GetProperty("email").GetString());
        Assert.False(user.GetProperty("admin").GetBoolean());
        Assert.True(user.GetProperty("enabled").GetBoolean());

        var reused = await visitor.PostAsJsonAsync("/api/auth/register", new { code = second, email = "mallory@example.com", password = "mallorys-password" });
        await reused.AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_REGISTRATION_CODE");
        await (await admin.GetAsync("/api/registration-code")).AssertProblemAsync(HttpStatusCode.NotFound, "REGISTRATION_CODE_NOT_FOUND");

        using var alice = await host.LoginAsync("alice@example.com", "alices-password");
        await using var db = host.Database.CreateContext();
        var messages = await db.RecentActivity.Select(a => a.Message).ToListAsync();
        Assert.Equal(2, messages.Count(m => m == "Registration code generated"));
        Assert.Contains("User alice@example.com registered with a code (IP: 127.0.0.1)", messages);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Code_ExpiresAfter30Minutes_AndIsPurgedWhenCodesAreRead(ProviderKind kind)
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await BerthTestHost.StartAsync(kind, customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var admin = await host.LoginAsync();
        var code = await admin.GenerateCodeAsync();
        using var visitor = host.CreateApiClient();

        clock.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(1));
        var expired = await visitor.PostAsJsonAsync("/api/auth/register", new { code, email = "late@example.com", password = "late-password" });
        var unknown = await visitor.PostAsJsonAsync("/api/auth/register", new { code = "ZZZZ9999", email = "late@example.com", password = "late-password" });

        var expiredProblem = await expired.AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_REGISTRATION_CODE");
        var unknownProblem = await unknown.AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_REGISTRATION_CODE");
        Assert.Equal(expiredProblem.GetProperty("detail").GetString(), unknownProblem.GetProperty("detail").GetString());

        await using (var db = host.Database.CreateContext())
        {
            Assert.Single(await db.RegistrationCodes.ToListAsync());
        }

        await (await admin.GetAsync("/api/registration-code")).AssertProblemAsync(HttpStatusCode.NotFound, "REGISTRATION_CODE_NOT_FOUND");
        await using (var db = host.Database.CreateContext())
        {
            Assert.Empty(await db.RegistrationCodes.ToListAsync());
            Assert.False(await db.Users.AnyAsync(u => u.Email == "late@example.com"));
        }
    }

    [Fact]
    public async Task Code_JustBeforeExpiry_StillWorks_AndRevokedCode_DoesNot()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await BerthTestHost.StartAsync(customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var admin = await host.LoginAsync();
        using var visitor = host.CreateApiClient();

        var code = await admin.GenerateCodeAsync();
        clock.Advance(TimeSpan.FromMinutes(29));
        (await visitor.PostAsJsonAsync("/api/auth/register", new { code, email = "ontime@example.com", password = "ontime-password" })).EnsureSuccessStatusCode();

        var revoked = await admin.GenerateCodeAsync();
        await (await admin.DeleteAsync("/api/registration-code")).AssertStatusAsync(HttpStatusCode.NoContent);
        var refused = await visitor.PostAsJsonAsync("/api/auth/register", new { code = revoked, email = "other@example.com", password = "other-password" });
        await refused.AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_REGISTRATION_CODE");
    }

    [Fact]
    public async Task Register_WithBadFields_IsRefusedWithACode_AndTheCodeSurvives()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var code = await admin.GenerateCodeAsync();
        using var visitor = host.CreateApiClient();

        await (await visitor.PostAsJsonAsync("/api/auth/register", new { code, email = "no-at-sign", password = "long-enough" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_EMAIL");
        await (await visitor.PostAsJsonAsync("/api/auth/register", new { code, email = "a@example.com", password = "short" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "PASSWORD_TOO_SHORT");
        await (await visitor.PostAsJsonAsync("/api/auth/register", new { code, email = "a@example.com", password = new string('p', 73) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "PASSWORD_TOO_LONG");
        await (await visitor.PostAsJsonAsync("/api/auth/register", new { code, email = "a@example.com" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "MISSING_FIELD");
        await (await visitor.PostAsJsonAsync("/api/auth/register", new { code, email = "ADMIN@admin.com", password = "long-enough" }))
            .AssertProblemAsync(HttpStatusCode.Conflict, "EMAIL_TAKEN");

        (await visitor.PostAsJsonAsync("/api/auth/register", new { code, email = "a@example.com", password = "long-enough" })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task EachAdmin_HasTheirOwnLiveCode()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        await admin.CreateUserAsync("second-admin@example.com", "second-password", isAdmin: true);
        using var second = await host.LoginAsync("second-admin@example.com", "second-password");

        var mine = await admin.GenerateCodeAsync();
        var theirs = await second.GenerateCodeAsync();

        Assert.NotEqual(mine, theirs);
        Assert.Equal(mine, (await (await admin.GetAsync("/api/registration-code")).JsonAsync()).GetProperty("code").GetString());
        Assert.Equal(theirs, (await (await second.GetAsync("/api/registration-code")).JsonAsync()).GetProperty("code").GetString());
    }

    [GeneratedRegex("^[A-Z0-9]{8}$")]
    private static partial Regex CodeShape();
}
