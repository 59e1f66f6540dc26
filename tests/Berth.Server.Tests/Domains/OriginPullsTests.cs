using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Core.Data;
using Berth.Core.Domains;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Domains;

/// <summary>
/// Cloudflare's Authenticated Origin Pulls as a per-domain option (<c>originPulls</c>): only in
/// Cloudflare mode, only when the operator configured the CA bundle, stored in Berth's own table.
/// </summary>
public sealed class OriginPullsTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Owner_TurnsOriginPullsOn_InCloudflareMode_WithTheOperatorsCa(ProviderKind kind)
    {
        await using var host = await StartWithCaAsync(kind);
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        using var _ = alice;
        var serverId = await host.InsertServerAsync(aliceId);

        var added = await alice.PostAsJsonAsync($"/api/servers/{serverId}/domains", new { domainName = "pulls.example.com", isCloudflare = true, originPulls = true });
        await added.AssertStatusAsync(HttpStatusCode.Created);
        var domain = await added.JsonAsync();
        var id = domain.GetProperty("id").GetInt64();
        Assert.True(domain.GetProperty("originPulls").GetBoolean());
        Assert.True((await (await alice.GetAsync($"/api/servers/{serverId}/domains/{id}")).JsonAsync()).GetProperty("originPulls").GetBoolean());
        Assert.True((await (await alice.GetAsync($"/api/servers/{serverId}/domains")).JsonAsync())[0].GetProperty("originPulls").GetBoolean());
        Assert.Equal([(id, true)], await OptionRowsAsync(host));

        // A field left out keeps its value.
        var sslOnly = await (await alice.PutAsJsonAsync($"/api/servers/{serverId}/domains/{id}", new { ssl = true })).JsonAsync();
        Assert.True(sslOnly.GetProperty("originPulls").GetBoolean());

        // Leaving Cloudflare mode ends origin pulls (they mean nothing without it); coming back does not restore them.
        var plain = await (await alice.PutAsJsonAsync($"/api/servers/{serverId}/domains/{id}", new { isCloudflare = false })).JsonAsync();
        Assert.False(plain.GetProperty("originPulls").GetBoolean());
        Assert.Empty(await OptionRowsAsync(host));
        var back = await (await alice.PutAsJsonAsync($"/api/servers/{serverId}/domains/{id}", new { isCloudflare = true })).JsonAsync();
        Assert.False(back.GetProperty("originPulls").GetBoolean());

        var on = await alice.PutAsJsonAsync($"/api/servers/{serverId}/domains/{id}", new { originPulls = true });
        await on.AssertStatusAsync(HttpStatusCode.OK);
        Assert.True((await on.JsonAsync()).GetProperty("originPulls").GetBoolean());

        await (await alice.DeleteAsync($"/api/servers/{serverId}/domains/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Empty(await OptionRowsAsync(host));

        var activity = await host.ActivityMessagesAsync();
        Assert.Contains($"Domain name \"pulls.example.com\" added to virtual server #{serverId} (origin pulls on)", activity);
        Assert.Contains($"Domain name \"pulls.example.com\" of virtual server #{serverId} edited (Cloudflare off, origin pulls off)", activity);
        Assert.Contains($"Domain name \"pulls.example.com\" of virtual server #{serverId} edited (origin pulls on)", activity);
    }

    [Fact]
    public async Task OriginPulls_WithoutCloudflareMode_AreRefusedWithACode_AndNothingIsWritten()
    {
        await using var host = await StartWithCaAsync(ProviderKind.Sqlite);
        using var admin = await host.LoginAsync();
        var serverId = await host.InsertServerAsync(await admin.MyIdAsync());

        var add = await admin.PostAsJsonAsync($"/api/servers/{serverId}/domains", new { domainName = "plain.example.com", originPulls = true });
        await add.AssertProblemAsync(HttpStatusCode.BadRequest, DomainsService.OriginPullsNeedCloudflareCode);
        Assert.Empty(await host.DomainRowsAsync());

        var id = (await admin.AddDomainOkAsync(serverId, "plain.example.com")).GetProperty("id").GetInt64();
        var edit = await admin.PutAsJsonAsync($"/api/servers/{serverId}/domains/{id}", new { ssl = true, originPulls = true });
        await edit.AssertProblemAsync(HttpStatusCode.BadRequest, DomainsService.OriginPullsNeedCloudflareCode);
        var cloudflareOffWithPulls = await admin.PutAsJsonAsync($"/api/servers/{serverId}/domains/{id}", new { isCloudflare = false, originPulls = true });
        await cloudflareOffWithPulls.AssertProblemAsync(HttpStatusCode.BadRequest, DomainsService.OriginPullsNeedCloudflareCode);

        var unchanged = await (await admin.GetAsync($"/api/servers/{serverId}/domains/{id}")).JsonAsync();
        Assert.False(unchanged.GetProperty("ssl").GetBoolean());
        Assert.False(unchanged.GetProperty("originPulls").GetBoolean());
        Assert.Empty(await OptionRowsAsync(host));
    }

    [Fact]
    public async Task OriginPulls_WithoutTheOperatorsCa_AreRefusedWithACode_AndNothingIsWritten()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var serverId = await host.InsertServerAsync(await admin.MyIdAsync());

        var add = await admin.PostAsJsonAsync($"/api/servers/{serverId}/domains", new { domainName = "cf.example.com", isCloudflare = true, originPulls = true });
        await add.AssertProblemAsync(HttpStatusCode.BadRequest, DomainsService.OriginPullsUnavailableCode);
        Assert.Empty(await host.DomainRowsAsync());

        var domain = await admin.AddDomainOkAsync(serverId, "cf.example.com", isCloudflare: true);
        Assert.False(domain.GetProperty("originPulls").GetBoolean());
        var id = domain.GetProperty("id").GetInt64();
        var edit = await admin.PutAsJsonAsync($"/api/servers/{serverId}/domains/{id}", new { originPulls = true });
        await edit.AssertProblemAsync(HttpStatusCode.BadRequest, DomainsService.OriginPullsUnavailableCode);
        Assert.Empty(await OptionRowsAsync(host));

        // Off is always accepted.
        var off = await admin.PutAsJsonAsync($"/api/servers/{serverId}/domains/{id}", new { originPulls = false });
        await off.AssertStatusAsync(HttpStatusCode.OK);
    }

    private static async Task<BerthTestHost> StartWithCaAsync(ProviderKind kind)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Test Origin Pull CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var now = TimeProvider.System.GetUtcNow();
        using var ca = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        var authorities = new X509Certificate2Collection(X509CertificateLoader.LoadCertificate(ca.RawData));
        return await BerthTestHost.StartAsync(kind, configure: settings => settings with
        {
            Edge = settings.Edge with { OriginPullAuthorities = authorities },
        });
    }

    private static async Task<List<(long, bool)>> OptionRowsAsync(BerthTestHost host)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContextAsync();
        return (await db.DomainOptions.OrderBy(o => o.DomainId).ToListAsync()).Select(o => (o.DomainId, o.OriginPulls)).ToList();
    }
}
