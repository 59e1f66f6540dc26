using System.Net;
using System.Net.Http.Json;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Berth.Server.Tests.Accounts;

/// <summary>Disabling, deleting or re-passwording a user ends their sessions on the very next request.</summary>
public sealed class SessionsEndTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task DisablingAUser_EndsTheirSessions_AndBlocksLogin(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var bobId = await admin.CreateUserAsync("bob@example.com", "bobs-password");
        using var bob = await host.LoginAsync("bob@example.com", "bobs-password");
        await (await bob.GetAsync("/api/me")).AssertStatusAsync(HttpStatusCode.OK);

        await (await admin.PatchAsJsonAsync($"/api/users/{bobId}", new { enabled = false })).AssertStatusAsync(HttpStatusCode.OK);

        await (await bob.GetAsync("/api/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        using var again = host.CreateApiClient();
        await (await again.PostAsJsonAsync("/api/auth/login", new { email = "bob@example.com", password = "bobs-password" }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        await using var db = host.Database.CreateContext();
        Assert.False(await db.Sessions.AnyAsync(s => s.UserId == bobId));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task ChangingOwnPassword_EndsOtherSessions_KeepsThisOne(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        await admin.CreateUserAsync("bob@example.com", "bobs-password");
        using var laptop = await host.LoginAsync("bob@example.com", "bobs-password");
        using var phone = await host.LoginAsync("bob@example.com", "bobs-password");

        await (await laptop.PostAsJsonAsync("/api/me/password", new { currentPassword = "wrong-password", newPassword = "bobs-new-password" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "WRONG_PASSWORD");
        await (await phone.GetAsync("/api/me")).AssertStatusAsync(HttpStatusCode.OK);

        await (await laptop.PostAsJsonAsync("/api/me/password", new { currentPassword = "bobs-password", newPassword = "bobs-new-password" }))
            .AssertStatusAsync(HttpStatusCode.NoContent);

        await (await laptop.GetAsync("/api/me")).AssertStatusAsync(HttpStatusCode.OK);
        await (await phone.GetAsync("/api/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        using var old = host.CreateApiClient();
        await (await old.PostAsJsonAsync("/api/auth/login", new { email = "bob@example.com", password = "bobs-password" }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        using var fresh = await host.LoginAsync("bob@example.com", "bobs-new-password");
        var activity = await (await fresh.GetAsync("/api/me/activity")).JsonAsync();
        Assert.Contains(activity.GetProperty("items").EnumerateArray(), a => a.GetProperty("message").GetString() == "Password changed");
    }

    [Fact]
    public async Task AnAdminResettingAPassword_OrDeletingTheUser_EndsTheirSessions()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var bobId = await admin.CreateUserAsync("bob@example.com", "bobs-password");
        using var bob = await host.LoginAsync("bob@example.com", "bobs-password");

        await (await admin.PatchAsJsonAsync($"/api/users/{bobId}", new { password = "reset-by-admin" })).AssertStatusAsync(HttpStatusCode.OK);
        await (await bob.GetAsync("/api/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");

        using var bobAgain = await host.LoginAsync("bob@example.com", "reset-by-admin");
        await (await admin.DeleteAsync($"/api/users/{bobId}")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await bobAgain.GetAsync("/api/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task DemotingAnAdmin_TakesEffectOnTheirNextRequest()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var otherId = await admin.CreateUserAsync("other@example.com", "other-password", isAdmin: true);
        using var other = await host.LoginAsync("other@example.com", "other-password");
        await (await other.GetAsync("/api/users")).AssertStatusAsync(HttpStatusCode.OK);

        await (await admin.PatchAsJsonAsync($"/api/users/{otherId}", new { admin = false })).AssertStatusAsync(HttpStatusCode.OK);

        await (await other.GetAsync("/api/users")).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        await (await other.GetAsync("/api/me")).AssertStatusAsync(HttpStatusCode.OK);
    }
}
