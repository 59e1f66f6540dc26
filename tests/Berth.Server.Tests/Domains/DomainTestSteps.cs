using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Core.Data;
using Berth.Core.Servers;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Domains;

/// <summary>
/// Steps the domain scenarios share. Domains need a server row, not a running container: the
/// row is written straight into the database, so these scenarios do not need a Docker engine.
/// </summary>
internal static class DomainTestSteps
{
    public static async Task<long> InsertServerAsync(this BerthTestHost host, long ownerId, bool deleted = false)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContextAsync();
        var id = (await db.VirtualServers.MaxAsync(s => (long?)s.Id) ?? 0) + 1;
        var now = SeedTime.Now(TimeProvider.System);
        db.VirtualServers.Add(new VirtualServer { Id = id, OwnerId = ownerId, Name = $"server {id}", Enabled = true, Deleted = deleted, CreatedAt = now, UpdatedAt = now });
        db.ServerSettings.Add(new ServerSettings { ServerId = id, Provisioning = ProvisioningState.Ready, UpdatedAt = now });
        await db.SaveChangesAsync();
        return id;
    }

    public static async Task<List<string>> ActivityMessagesAsync(this BerthTestHost host)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContextAsync();
        return await db.RecentActivity.OrderBy(a => a.Id).Select(a => a.Message).ToListAsync();
    }

    public static async Task<List<string>> DomainRowsAsync(this BerthTestHost host)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContextAsync();
        return await db.DomainNames.OrderBy(d => d.Name).Select(d => d.Name).ToListAsync();
    }

    public static async Task<long> MyIdAsync(this HttpClient client) =>
        (await (await client.GetAsync("/api/me")).JsonAsync()).GetProperty("id").GetInt64();

    public static Task<HttpResponseMessage> AddDomainAsync(this HttpClient client, long serverId, string name, bool ssl = false, bool isCloudflare = false) =>
        client.PostAsJsonAsync($"/api/servers/{serverId}/domains", new { domainName = name, ssl, isCloudflare });

    /// <summary>Adds a domain and returns its body; fails the test unless it is a 201.</summary>
    public static async Task<JsonElement> AddDomainOkAsync(this HttpClient client, long serverId, string name, bool ssl = false, bool isCloudflare = false)
    {
        var response = await client.AddDomainAsync(serverId, name, ssl, isCloudflare);
        await response.AssertStatusAsync(HttpStatusCode.Created);
        return await response.JsonAsync();
    }

    /// <summary>Creates a user (as the admin) and returns a client signed in as it, with its id.</summary>
    public static async Task<(HttpClient Client, long Id)> UserAsync(this BerthTestHost host, HttpClient admin, string email)
    {
        var id = await admin.CreateUserAsync(email, "a-long-enough-password");
        return (await host.LoginAsync(email, "a-long-enough-password"), id);
    }
}
