using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Core.Accounts;
using Berth.Core.Servers;
using Berth.Server.Tests.Domains;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Accounts;

public sealed class ManagingUsersTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Admin_CreatesListsReadsEditsAndDeletesUsers(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();

        var bobId = await admin.CreateUserAsync("Bob@Example.com", "bobs-password");
        await AddServersAsync(host, bobId, (1, false), (2, false), (3, true));

        var list = await (await admin.GetAsync("/api/users")).JsonAsync();
        var bob = list.EnumerateArray().Single(u => u.GetProperty("id").GetInt64() == bobId);
        Assert.Equal("bob@example.com", bob.GetProperty("email").GetString());
        Assert.Equal(2, bob.GetProperty("serverCount").GetInt32());
        Assert.False(bob.GetProperty("admin").GetBoolean());
        Assert.True(bob.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, bob.GetProperty("lastSeen").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, list.EnumerateArray().Single(u => u.GetProperty("email").GetString() == "admin@admin.com").GetProperty("lastSeen").ValueKind);

        var details = await (await admin.GetAsync($"/api/users/{bobId}")).JsonAsync();
        Assert.Equal(2, details.GetProperty("serverCount").GetInt32());
        Assert.Equal([1L, 2L], details.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("id").GetInt64()));

        var edited = await admin.PatchAsJsonAsync($"/api/users/{bobId}", new { email = "robert@example.com", admin = true, password = "roberts-password" });
        await edited.AssertStatusAsync(HttpStatusCode.OK);
        var editedBody = await edited.JsonAsync();
        Assert.Equal("robert@example.com", editedBody.GetProperty("email").GetString());
        Assert.True(editedBody.GetProperty("admin").GetBoolean());
        using (var robert = await host.LoginAsync("robert@example.com", "roberts-password"))
        {
            await (await robert.GetAsync("/api/users")).AssertStatusAsync(HttpStatusCode.OK);
        }

        await (await admin.DeleteAsync($"/api/users/{bobId}")).AssertProblemAsync(HttpStatusCode.Conflict, "USER_OWNS_SERVERS");
        await using (var db = host.Database.CreateContext())
        {
            await db.VirtualServers.Where(s => s.OwnerId == bobId).ExecuteUpdateAsync(u => u.SetProperty(s => s.Deleted, true));
        }

        await (await admin.DeleteAsync($"/api/users/{bobId}")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await admin.GetAsync($"/api/users/{bobId}")).AssertProblemAsync(HttpStatusCode.NotFound, "USER_NOT_FOUND");
        await (await admin.DeleteAsync($"/api/users/{bobId}")).AssertProblemAsync(HttpStatusCode.NotFound, "USER_NOT_FOUND");
        await (await admin.PatchAsJsonAsync($"/api/users/{bobId}", new { enabled = true })).AssertProblemAsync(HttpStatusCode.NotFound, "USER_NOT_FOUND");

        await using var check = host.Database.CreateContext();
        var messages = await check.RecentActivity.Select(a => a.Message).ToListAsync();
        Assert.Contains("User bob@example.com created", messages);
        Assert.Contains("User robert@example.com edited: email, password, made admin", messages);
        Assert.Contains("User robert@example.com deleted", messages);
    }

    [Fact]
    public async Task Admin_CanCreateADisabledAccount_ThatCannotSignInUntilEnabled()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();

        var created = await admin.PostAsJsonAsync("/api/users", new { email = "later@example.com", password = "later-password-1", enabled = false });

        await created.AssertStatusAsync(HttpStatusCode.Created);
        var body = await created.JsonAsync();
        Assert.False(body.GetProperty("enabled").GetBoolean());
        using var later = host.CreateApiClient();
        await (await later.PostAsJsonAsync("/api/auth/login", new { email = "later@example.com", password = "later-password-1" }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        await (await admin.PatchAsJsonAsync($"/api/users/{body.GetProperty("id").GetInt64()}", new { enabled = true })).AssertStatusAsync(HttpStatusCode.OK);
        (await later.PostAsJsonAsync("/api/auth/login", new { email = "later@example.com", password = "later-password-1" })).EnsureSuccessStatusCode();
        Assert.Contains("User later@example.com created (disabled)", await host.ActivityMessagesAsync());
    }

    [Fact]
    public async Task CreatingOrRenamingToATakenEmail_IsAConflict()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var bobId = await admin.CreateUserAsync("bob@example.com", "bobs-password");

        await (await admin.PostAsJsonAsync("/api/users", new { email = "BOB@example.com", password = "another-password" }))
            .AssertProblemAsync(HttpStatusCode.Conflict, "EMAIL_TAKEN");
        await (await admin.PatchAsJsonAsync($"/api/users/{bobId}", new { email = "admin@admin.com" }))
            .AssertProblemAsync(HttpStatusCode.Conflict, "EMAIL_TAKEN");
        await (await admin.PatchAsJsonAsync($"/api/users/{bobId}", new { password = "short" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "PASSWORD_TOO_SHORT");
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Admin_CannotDemoteDisableOrDeleteThemself(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var me = (await (await admin.GetAsync("/api/me")).JsonAsync()).GetProperty("id").GetInt64();
        await admin.CreateUserAsync("other-admin@example.com", "other-password", isAdmin: true);

        await (await admin.PatchAsJsonAsync($"/api/users/{me}", new { admin = false })).AssertProblemAsync(HttpStatusCode.Conflict, "CANNOT_DEMOTE_SELF");
        await (await admin.PatchAsJsonAsync($"/api/users/{me}", new { enabled = false })).AssertProblemAsync(HttpStatusCode.Conflict, "CANNOT_DISABLE_SELF");
        await (await admin.DeleteAsync($"/api/users/{me}")).AssertProblemAsync(HttpStatusCode.Conflict, "CANNOT_DELETE_SELF");

        var still = await (await admin.GetAsync("/api/me")).JsonAsync();
        Assert.True(still.GetProperty("admin").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task TheLastEnabledAdmin_CannotBeRemoved_ByAnyone(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var adminId = (await (await admin.GetAsync("/api/me")).JsonAsync()).GetProperty("id").GetInt64();
        var otherId = await admin.CreateUserAsync("other-admin@example.com", "other-password", isAdmin: true);
        await (await admin.PatchAsJsonAsync($"/api/users/{otherId}", new { enabled = false })).AssertStatusAsync(HttpStatusCode.OK);

        // The platform itself (actor 0, as the CLI acts) is the only actor that can reach the last admin.
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UsersService>();
        var demote = await Assert.ThrowsAsync<Core.Errors.BerthException>(() => users.UpdateAsync(0, adminId, new UserChanges(null, null, false, null), CancellationToken.None));
        var disable = await Assert.ThrowsAsync<Core.Errors.BerthException>(() => users.UpdateAsync(0, adminId, new UserChanges(null, null, null, false), CancellationToken.None));
        var delete = await Assert.ThrowsAsync<Core.Errors.BerthException>(() => users.DeleteAsync(0, adminId, CancellationToken.None));

        Assert.All([demote, disable, delete], e => Assert.Equal("LAST_ADMIN", e.Code));
        await (await admin.GetAsync("/api/users")).AssertStatusAsync(HttpStatusCode.OK);

        // With a second enabled admin, the same change is allowed.
        await (await admin.PatchAsJsonAsync($"/api/users/{otherId}", new { enabled = true })).AssertStatusAsync(HttpStatusCode.OK);
        await users.UpdateAsync(0, adminId, new UserChanges(null, null, false, null), CancellationToken.None);
        await (await admin.GetAsync("/api/users")).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task NonAdmins_Get403_AndAnonymous_Gets401_OnEveryAdminRoute()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var bobId = await admin.CreateUserAsync("bob@example.com", "bobs-password");
        using var bob = await host.LoginAsync("bob@example.com", "bobs-password");
        using var anonymous = host.CreateApiClient();

        (HttpMethod Method, string Path)[] routes =
        [
            (HttpMethod.Get, "/api/users"), (HttpMethod.Post, "/api/users"), (HttpMethod.Get, $"/api/users/{bobId}"),
            (HttpMethod.Patch, $"/api/users/{bobId}"), (HttpMethod.Delete, $"/api/users/{bobId}"),
            (HttpMethod.Get, "/api/registration-code"), (HttpMethod.Post, "/api/registration-code"), (HttpMethod.Delete, "/api/registration-code"),
            (HttpMethod.Get, "/api/activity"), (HttpMethod.Get, "/api/dashboard"),
        ];
        foreach (var (method, path) in routes)
        {
            using var asBob = new HttpRequestMessage(method, path) { Content = JsonContent.Create(new { admin = true, enabled = true }) };
            await (await bob.SendAsync(asBob)).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
            using var asNobody = new HttpRequestMessage(method, path) { Content = JsonContent.Create(new { admin = true, enabled = true }) };
            await (await anonymous.SendAsync(asNobody)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        }

        await using var db = host.Database.CreateContext();
        Assert.False((await db.Users.SingleAsync(u => u.Id == bobId)).IsAdmin);
    }

    internal static async Task AddServersAsync(BerthTestHost host, long ownerId, params (long Id, bool Deleted)[] servers)
    {
        await using var db = host.Database.CreateContext();
        foreach (var (id, deleted) in servers)
        {
            db.VirtualServers.Add(new VirtualServer { Id = id, OwnerId = ownerId, Name = $"server {id}", Enabled = true, Deleted = deleted, CreatedAt = "2026-11-25 08:00:00", UpdatedAt = "2026-11-25 08:00:00" });
        }

        await db.SaveChangesAsync();
    }
}
