using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.Server.Tests.Domains;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Server.Tests.Accounts;

/// <summary>Personal access tokens: created and revoked with a session, used as <c>Authorization: Bearer</c> by scripts.</summary>
public sealed class UsingApiTokensTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task AToken_IsShownOnce_StoredHashed_ListedWithItsLastUse_AndRevocable(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        var (bob, _) = await host.UserAsync(admin, "bob@example.com");
        using var a = alice;
        using var b = bob;

        var created = await alice.PostAsJsonAsync("/api/me/tokens", new { name = "ci", scopes = ScopeList("read", "servers") });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.JsonAsync();
        var secret = body.GetProperty("token").GetString()!;
        var id = body.GetProperty("id").GetInt64();
        Assert.StartsWith("berth_", secret, StringComparison.Ordinal);
        Assert.Equal(49, secret.Length);
        Assert.Equal(["read", "servers"], body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        // Stored as its SHA-256 only.
        await using (var db = host.Database.CreateContext())
        {
            var row = await db.ApiTokens.SingleAsync();
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), row.TokenHash);
            Assert.DoesNotContain(secret, string.Join('|', row.TokenHash, row.Prefix, row.Name, row.Scopes), StringComparison.Ordinal);
            Assert.Equal(aliceId, row.UserId);
        }

        var listed = await alice.GetStringAsync("/api/me/tokens");
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        var entry = JsonDocument.Parse(listed).RootElement.EnumerateArray().Single();
        Assert.False(entry.TryGetProperty("token", out _));
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("lastUsedAt").ValueKind);

        using var script = Bearer(host, secret);
        var me = await script.GetAsync("/api/me");
        await me.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("alice@example.com", (await me.JsonAsync()).GetProperty("email").GetString());
        var afterUse = JsonDocument.Parse(await alice.GetStringAsync("/api/me/tokens")).RootElement.EnumerateArray().Single();
        Assert.Equal(JsonValueKind.String, afterUse.GetProperty("lastUsedAt").ValueKind);

        // Another user's token answers like a missing one.
        var theirs = await (await bob.DeleteAsync($"/api/me/tokens/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "TOKEN_NOT_FOUND");
        var missing = await (await bob.DeleteAsync($"/api/me/tokens/{id + 1000}")).AssertProblemAsync(HttpStatusCode.NotFound, "TOKEN_NOT_FOUND");
        Assert.Equal(missing.GetProperty("detail").GetString(), theirs.GetProperty("detail").GetString());
        Assert.Empty(JsonDocument.Parse(await bob.GetStringAsync("/api/me/tokens")).RootElement.EnumerateArray());
        await (await script.GetAsync("/api/me")).AssertStatusAsync(HttpStatusCode.OK);

        await (await alice.DeleteAsync($"/api/me/tokens/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await script.GetAsync("/api/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Assert.Empty(JsonDocument.Parse(await alice.GetStringAsync("/api/me/tokens")).RootElement.EnumerateArray());

        var activity = await host.ActivityMessagesAsync();
        Assert.Contains("API token \"ci\" created", activity);
        Assert.Contains("API token \"ci\" revoked", activity);
    }

    [Fact]
    public async Task ABearerToken_NeedsNoCsrfHeader_AndItsScopesDecideWhatItMayDo()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        using var a = alice;
        var server = await host.InsertServerAsync(aliceId);
        using var deploy = Bearer(host, await alice.CreateTokenAsync(new { name = "deploy", scopes = ScopeList("servers") }));
        using var reader = Bearer(host, await alice.CreateTokenAsync(new { name = "reader", scopes = ScopeList("read") }));
        using var stacks = Bearer(host, await alice.CreateTokenAsync(new { name = "stacks", scopes = ScopeList("stacks:deploy") }));

        // A change with the servers scope and no CSRF header; its activity row names the token.
        (await deploy.PostAsJsonAsync($"/api/servers/{server}/domains", new { domainName = "shop.example.com" })).EnsureSuccessStatusCode();
        Assert.Contains($"Domain name \"shop.example.com\" added to virtual server #{server} (token deploy)", await host.ActivityMessagesAsync());

        // read: safe methods only.
        await (await reader.GetAsync($"/api/servers/{server}/domains")).AssertStatusAsync(HttpStatusCode.OK);
        await (await reader.PostAsJsonAsync($"/api/servers/{server}/domains", new { domainName = "other.example.com" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "TOKEN_SCOPE_MISSING");
        await (await reader.PostAsync("/api/me/password", JsonContent.Create(new { currentPassword = "a-long-enough-password", newPassword = "another-long-password" })))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "TOKEN_SCOPE_MISSING");

        // A scope that is not the route's: refused, reads included.
        await (await stacks.GetAsync($"/api/servers/{server}/domains")).AssertProblemAsync(HttpStatusCode.Forbidden, "TOKEN_SCOPE_MISSING");
        await (await stacks.DeleteAsync($"/api/servers/{server}")).AssertProblemAsync(HttpStatusCode.Forbidden, "TOKEN_SCOPE_MISSING");

        // Tokens cannot manage tokens or open a terminal, whatever their scopes.
        await (await deploy.PostAsJsonAsync("/api/me/tokens", new { name = "successor", scopes = ScopeList("servers") }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "TOKEN_SCOPE_MISSING");
        await (await deploy.GetAsync("/api/me/tokens")).AssertProblemAsync(HttpStatusCode.Forbidden, "TOKEN_SCOPE_MISSING");
        await (await deploy.PostAsync($"/api/servers/{server}/terminal/tickets", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "TOKEN_SCOPE_MISSING");

        await using var db = host.Database.CreateContext();
        Assert.Equal(["shop.example.com"], await db.DomainNames.Select(d => d.Name).ToListAsync());
        Assert.Equal(3, await db.ApiTokens.CountAsync());
    }

    [Fact]
    public async Task AdminRoutes_NeedAnAdminOwner_AndTheAdminScope()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var rootId = await admin.CreateUserAsync("root@example.com", "a-long-enough-password", isAdmin: true);
        using var root = await host.LoginAsync("root@example.com", "a-long-enough-password");
        var (alice, _) = await host.UserAsync(admin, "alice@example.com");
        using var a = alice;

        await (await alice.PostAsJsonAsync("/api/me/tokens", new { name = "sneaky", scopes = ScopeList("admin") }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "TOKEN_SCOPE_FORBIDDEN");
        using var aliceAll = Bearer(host, await alice.CreateTokenAsync(new { name = "all", scopes = ScopeList("read", "servers", "stacks:deploy") }));
        await (await aliceAll.GetAsync("/api/users")).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");

        using var rootRead = Bearer(host, await root.CreateTokenAsync(new { name = "read", scopes = ScopeList("read", "servers") }));
        using var rootAdmin = Bearer(host, await root.CreateTokenAsync(new { name = "admin", scopes = ScopeList("admin") }));
        await (await rootRead.GetAsync("/api/users")).AssertProblemAsync(HttpStatusCode.Forbidden, "TOKEN_SCOPE_MISSING");
        await (await rootRead.PostAsync("/api/registration-code", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "TOKEN_SCOPE_MISSING");
        await (await rootAdmin.GetAsync("/api/users")).AssertStatusAsync(HttpStatusCode.OK);

        // The owner stops being an admin: the admin scope opens nothing any more.
        await (await admin.PatchAsJsonAsync($"/api/users/{rootId}", new { admin = false })).AssertStatusAsync(HttpStatusCode.OK);
        await (await rootAdmin.GetAsync("/api/users")).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task ATokenRestrictedToSomeServers_MeetsTheOthersAsMissing()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        var (bob, bobId) = await host.UserAsync(admin, "bob@example.com");
        using var a = alice;
        using var b = bob;
        var serverA = await host.InsertServerAsync(aliceId);
        var serverB = await host.InsertServerAsync(aliceId);
        var bobs = await host.InsertServerAsync(bobId);

        await (await alice.PostAsJsonAsync("/api/me/tokens", new { name = "x", scopes = ScopeList("read"), serverIds = new[] { serverA, bobs } }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
        using var onlyA = Bearer(host, await alice.CreateTokenAsync(new { name = "only-a", scopes = ScopeList("read", "servers"), serverIds = new[] { serverA } }));

        await (await onlyA.GetAsync($"/api/servers/{serverA}")).AssertStatusAsync(HttpStatusCode.OK);
        await (await onlyA.GetAsync($"/api/servers/{serverA}/domains")).AssertStatusAsync(HttpStatusCode.OK);
        var other = await (await onlyA.GetAsync($"/api/servers/{serverB}")).AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
        var missing = await (await onlyA.GetAsync($"/api/servers/{bobs + 1000}")).AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
        Assert.Equal(missing.GetProperty("detail").GetString(), other.GetProperty("detail").GetString());
        await (await onlyA.PostAsJsonAsync($"/api/servers/{serverB}/domains", new { domainName = "b.example.com" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
        await (await onlyA.GetAsync($"/api/servers/{bobs}")).AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");

        var listed = (await (await onlyA.GetAsync("/api/servers")).JsonAsync()).EnumerateArray().Select(s => s.GetProperty("id").GetInt64());
        Assert.Equal([serverA], listed);
        await (await onlyA.GetAsync("/api/events")).AssertProblemAsync(HttpStatusCode.Forbidden, "TOKEN_SCOPE_MISSING");
        await using var db = host.Database.CreateContext();
        Assert.Empty(await db.DomainNames.ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task ExpiredTokens_AndTokensOfADisabledUser_Get401(ProviderKind kind)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
        await using var host = await BerthTestHost.StartAsync(kind, customize: builder => builder.Services.AddSingleton<TimeProvider>(clock));
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        using var a = alice;

        await (await alice.PostAsJsonAsync("/api/me/tokens", new { name = "old", scopes = ScopeList("read"), expiresAt = clock.GetUtcNow().AddMinutes(-1) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "TOKEN_EXPIRY_PAST");
        using var hour = Bearer(host, await alice.CreateTokenAsync(new { name = "hour", scopes = ScopeList("read"), expiresAt = clock.GetUtcNow().AddHours(1) }));
        using var forever = Bearer(host, await alice.CreateTokenAsync(new { name = "forever", scopes = ScopeList("read") }));

        await (await hour.GetAsync("/api/me")).AssertStatusAsync(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromMinutes(61));
        await (await hour.GetAsync("/api/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await (await forever.GetAsync("/api/me")).AssertStatusAsync(HttpStatusCode.OK);

        await (await admin.PatchAsJsonAsync($"/api/users/{aliceId}", new { enabled = false })).AssertStatusAsync(HttpStatusCode.OK);
        await (await forever.GetAsync("/api/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        using var bogus = Bearer(host, "berth_" + new string('A', 43));
        await (await bogus.GetAsync("/api/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task BadTokenRequests_GetAMachineCode_AndWriteNothing()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var (alice, _) = await host.UserAsync(admin, "alice@example.com");
        using var a = alice;

        await (await alice.PostAsJsonAsync("/api/me/tokens", new { name = "", scopes = ScopeList("read") })).AssertProblemAsync(HttpStatusCode.BadRequest, "TOKEN_NAME_INVALID");
        await (await alice.PostAsJsonAsync("/api/me/tokens", new { name = new string('n', 65), scopes = ScopeList("read") })).AssertProblemAsync(HttpStatusCode.BadRequest, "TOKEN_NAME_INVALID");
        await (await alice.PostAsJsonAsync("/api/me/tokens", new { name = "a\nb", scopes = ScopeList("read") })).AssertProblemAsync(HttpStatusCode.BadRequest, "TOKEN_NAME_INVALID");
        await (await alice.PostAsJsonAsync("/api/me/tokens", new { name = "ci" })).AssertProblemAsync(HttpStatusCode.BadRequest, "TOKEN_SCOPES_INVALID");
        await (await alice.PostAsJsonAsync("/api/me/tokens", new { name = "ci", scopes = ScopeList("everything") })).AssertProblemAsync(HttpStatusCode.BadRequest, "TOKEN_SCOPES_INVALID");
        await (await alice.PostAsJsonAsync("/api/me/tokens", new { name = "ci", scopes = ScopeList("read"), serverIds = Array.Empty<long>() })).AssertProblemAsync(HttpStatusCode.BadRequest, "TOKEN_SERVERS_INVALID");
        await using (var db = host.Database.CreateContext())
        {
            Assert.Empty(await db.ApiTokens.ToListAsync());
        }

        await alice.CreateTokenAsync(new { name = "ci", scopes = ScopeList("read") });
        await (await alice.PostAsJsonAsync("/api/me/tokens", new { name = "ci", scopes = ScopeList("servers") })).AssertProblemAsync(HttpStatusCode.Conflict, "TOKEN_NAME_TAKEN");
    }

    private static string[] ScopeList(params string[] scopes) => scopes;

    /// <summary>A client with no cookies and no CSRF header: what a CI job's curl is.</summary>
    internal static HttpClient Bearer(BerthTestHost host, string token)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

internal static class TokenSteps
{
    /// <summary>Creates a token with the signed-in client and returns its secret.</summary>
    public static async Task<string> CreateTokenAsync(this HttpClient owner, object request)
    {
        var response = await owner.PostAsJsonAsync("/api/me/tokens", request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create token: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.JsonAsync()).GetProperty("token").GetString()!;
    }
}
