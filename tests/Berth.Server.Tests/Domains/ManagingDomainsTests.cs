using System.Net;
using System.Net.Http.Json;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Domains;

/// <summary>An owner adds, lists, edits and removes the domain names of a server; each step is logged.</summary>
public sealed class ManagingDomainsTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Owner_AddsListsEditsAndRemovesDomains_EachStepLogged(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        using var _ = alice;
        var serverId = await host.InsertServerAsync(aliceId);

        var added = await alice.AddDomainAsync(serverId, "  Shop.Example.COM ", ssl: true);
        await added.AssertStatusAsync(HttpStatusCode.Created);
        var shop = await added.JsonAsync();
        var shopId = shop.GetProperty("id").GetInt64();
        Assert.Equal($"/api/servers/{serverId}/domains/{shopId}", added.Headers.Location?.OriginalString);
        Assert.Equal("shop.example.com", shop.GetProperty("domainName").GetString());
        Assert.Equal(serverId, shop.GetProperty("serverId").GetInt64());
        Assert.True(shop.GetProperty("ssl").GetBoolean());
        Assert.False(shop.GetProperty("isCloudflare").GetBoolean());
        Assert.True(shop.GetProperty("needsDns").GetBoolean());
        Assert.Equal("pending", shop.GetProperty("certificate").GetProperty("status").GetString());

        var blog = await alice.AddDomainOkAsync(serverId, "blog.apps.localhost");
        Assert.False(blog.GetProperty("needsDns").GetBoolean());
        Assert.Equal("none", blog.GetProperty("certificate").GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, blog.GetProperty("certificate").GetProperty("expiresAt").ValueKind);

        var list = await (await alice.GetAsync($"/api/servers/{serverId}/domains")).JsonAsync();
        Assert.Equal(["shop.example.com", "blog.apps.localhost"], list.EnumerateArray().Select(d => d.GetProperty("domainName").GetString()));
        var server = await (await alice.GetAsync($"/api/servers/{serverId}")).JsonAsync();
        Assert.Equal(2, server.GetProperty("domains").GetArrayLength());

        var edited = await alice.PutAsJsonAsync($"/api/servers/{serverId}/domains/{shopId}", new { domainName = "Store.Example.com", ssl = false, isCloudflare = true });
        await edited.AssertStatusAsync(HttpStatusCode.OK);
        var store = await edited.JsonAsync();
        Assert.Equal("store.example.com", store.GetProperty("domainName").GetString());
        Assert.False(store.GetProperty("ssl").GetBoolean());
        Assert.True(store.GetProperty("isCloudflare").GetBoolean());
        Assert.Equal("none", store.GetProperty("certificate").GetProperty("status").GetString());

        // A field left out keeps its value.
        var sslOnly = await (await alice.PutAsJsonAsync($"/api/servers/{serverId}/domains/{shopId}", new { ssl = true })).JsonAsync();
        Assert.Equal("store.example.com", sslOnly.GetProperty("domainName").GetString());
        Assert.True(sslOnly.GetProperty("isCloudflare").GetBoolean());
        Assert.True(sslOnly.GetProperty("ssl").GetBoolean());

        var one = await (await alice.GetAsync($"/api/servers/{serverId}/domains/{shopId}")).JsonAsync();
        Assert.Equal("store.example.com", one.GetProperty("domainName").GetString());

        await (await alice.DeleteAsync($"/api/servers/{serverId}/domains/{shopId}")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await alice.DeleteAsync($"/api/servers/{serverId}/domains/{shopId}")).AssertProblemAsync(HttpStatusCode.NotFound, "DOMAIN_NOT_FOUND");
        Assert.Equal(["blog.apps.localhost"], await host.DomainRowsAsync());

        // The old name is free again.
        await alice.AddDomainOkAsync(serverId, "shop.example.com");

        var activity = await host.ActivityMessagesAsync();
        Assert.Contains($"Domain name \"shop.example.com\" added to virtual server #{serverId}", activity);
        Assert.Contains($"Domain name \"blog.apps.localhost\" added to virtual server #{serverId}", activity);
        Assert.Contains($"Domain name \"shop.example.com\" of virtual server #{serverId} edited (renamed to \"store.example.com\", SSL off, Cloudflare on)", activity);
        Assert.Contains($"Domain name \"store.example.com\" of virtual server #{serverId} edited (SSL on)", activity);
        Assert.Contains($"Domain name \"store.example.com\" removed from virtual server #{serverId}", activity);
    }

    [Fact]
    public async Task Admin_ManagesDomainsOfAnyServer()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var (bob, bobId) = await host.UserAsync(admin, "bob@example.com");
        using var _ = bob;
        var serverId = await host.InsertServerAsync(bobId);

        var domain = await admin.AddDomainOkAsync(serverId, "bob.example.com");
        var list = await (await bob.GetAsync($"/api/servers/{serverId}/domains")).JsonAsync();
        Assert.Equal(domain.GetProperty("id").GetInt64(), list[0].GetProperty("id").GetInt64());
        await (await admin.DeleteAsync($"/api/servers/{serverId}/domains/{domain.GetProperty("id").GetInt64()}")).AssertStatusAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task EditingNothing_ChangesNothing_AndLogsNothing()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var serverId = await host.InsertServerAsync(await admin.MyIdAsync());
        var domain = await admin.AddDomainOkAsync(serverId, "same.example.com", ssl: true);
        var before = (await host.ActivityMessagesAsync()).Count;

        var response = await admin.PutAsJsonAsync($"/api/servers/{serverId}/domains/{domain.GetProperty("id").GetInt64()}", new { domainName = "SAME.example.com", ssl = true });
        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(before, (await host.ActivityMessagesAsync()).Count);
    }

    [Fact]
    public async Task DomainsOfADeletedServer_AreNotListed_AndTheirNamesAreFree()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var adminId = await admin.MyIdAsync();
        var gone = await host.InsertServerAsync(adminId);
        await admin.AddDomainOkAsync(gone, "left.example.com");
        // A row left behind by a server deleted outside Berth (e.g. in an adopted database).
        await using (var db = await host.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Berth.Core.Data.BerthDbContext>>().CreateDbContextAsync())
        {
            var row = await db.VirtualServers.FindAsync(gone);
            row!.Deleted = true;
            await db.SaveChangesAsync();
        }

        await (await admin.GetAsync($"/api/servers/{gone}/domains")).AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
        var validation = await (await admin.GetAsync("/api/domains/validate?name=left.example.com")).JsonAsync();
        Assert.True(validation.GetProperty("valid").GetBoolean());

        var live = await host.InsertServerAsync(adminId);
        await admin.AddDomainOkAsync(live, "left.example.com");
        Assert.Equal(["left.example.com"], await host.DomainRowsAsync());
    }

    [Fact]
    public async Task DomainRoutes_AreNamedInTheOpenApiDocument()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var client = host.CreateClient();
        var document = await (await client.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync();
        foreach (var name in new[] { "ListDomains", "AddDomain", "GetDomain", "EditDomain", "DeleteDomain", "ValidateDomain" })
        {
            Assert.Contains($"\"operationId\": \"{name}\"", document, StringComparison.Ordinal);
        }
    }
}
