using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Core.Certificates;
using Berth.Core.Data;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Certificates;

/// <summary>Steps the certificate scenarios share.</summary>
public static class CertificateSteps
{
    /// <summary>Adds a domain through the API and returns its id.</summary>
    public static async Task<long> AddDomainAsync(this HttpClient client, long serverId, string name, bool ssl, bool isCloudflare = false)
    {
        var response = await client.PostAsJsonAsync($"/api/servers/{serverId}/domains", new { domainName = name, ssl, isCloudflare });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"add {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.JsonAsync()).GetProperty("id").GetInt64();
    }

    /// <summary>The domain's <c>certificate</c> object as the API shows it.</summary>
    public static async Task<JsonElement> CertificateOfAsync(this HttpClient client, long serverId, long domainId)
    {
        var domain = await client.GetFromJsonAsync<JsonElement>($"/api/servers/{serverId}/domains/{domainId}");
        return domain.GetProperty("certificate");
    }

    /// <summary>Polls the API until the domain's certificate satisfies <paramref name="done"/>; fails with the last state after <paramref name="seconds"/>.</summary>
    public static async Task<JsonElement> WaitForCertificateAsync(this HttpClient client, long serverId, long domainId, Func<JsonElement, bool> done, int seconds = 90)
    {
        var certificate = await Poll.UntilAsync(() => client.CertificateOfAsync(serverId, domainId), done, TimeSpan.FromSeconds(seconds), TimeSpan.FromMilliseconds(200));
        Assert.True(done(certificate), $"certificate of domain {domainId} after {seconds} s: {certificate}");
        return certificate;
    }

    public static Task<JsonElement> WaitForStatusAsync(this HttpClient client, long serverId, long domainId, string status, int seconds = 90) =>
        client.WaitForCertificateAsync(serverId, domainId, c => c.GetProperty("status").GetString() == status, seconds);

    /// <summary>The stored row of a domain's certificate, or null.</summary>
    public static async Task<HostingCertificate?> StoredCertificateAsync(this IServiceProvider services, string name)
    {
        var contexts = services.GetRequiredService<IDbContextFactory<BerthDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        return await db.Certificates.AsNoTracking().FirstOrDefaultAsync(c => c.DomainName == name);
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="seconds"/> pass; returns whether it held.</summary>
    public static Task<bool> EventuallyAsync(Func<Task<bool>> condition, int seconds = 10) =>
        Poll.UntilAsync(condition, TimeSpan.FromSeconds(seconds));
}
