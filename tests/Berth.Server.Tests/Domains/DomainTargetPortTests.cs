using System.Net;
using System.Net.Http.Json;
using Berth.Core.Data;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Domains;

/// <summary>
/// A domain names the port of its server the edge sends its traffic to (80 unless told), kept in Berth's
/// <c>Hosting_DomainOptions</c> beside the seed's <c>Hosting_DomainNames</c>. The edge end of it runs on a
/// real server in Edge/PublishingAServerThroughTheEdgeTests.
/// </summary>
public sealed class DomainTargetPortTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task TheTargetPort_DefaultsTo80_IsKeptBesideTheSeedsRow_AndCanBeEdited(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var serverId = await host.InsertServerAsync(await admin.MyIdAsync());

        var plain = await admin.AddDomainOkAsync(serverId, "plain.example.com");
        Assert.Equal(80, plain.GetProperty("targetPort").GetInt32());
        var added = await admin.PostAsJsonAsync($"/api/servers/{serverId}/domains", new { domainName = "app.example.com", targetPort = 8080 });
        await added.AssertStatusAsync(HttpStatusCode.Created);
        var app = await added.JsonAsync();
        var appId = app.GetProperty("id").GetInt64();
        Assert.Equal(8080, app.GetProperty("targetPort").GetInt32());
        Assert.Equal(8080, (await (await admin.GetAsync($"/api/servers/{serverId}/domains/{appId}")).JsonAsync()).GetProperty("targetPort").GetInt32());
        Assert.Equal(new Dictionary<long, int> { [appId] = 8080 }, await OptionRowsAsync(host));

        var edited = await admin.PutAsJsonAsync($"/api/servers/{serverId}/domains/{appId}", new { targetPort = 3000 });
        await edited.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(3000, (await edited.JsonAsync()).GetProperty("targetPort").GetInt32());
        Assert.Contains($"Domain name \"app.example.com\" of virtual server #{serverId} edited (target port 3000)", await host.ActivityMessagesAsync());

        // Another field edited alone keeps the port.
        await (await admin.PutAsJsonAsync($"/api/servers/{serverId}/domains/{appId}", new { ssl = true })).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(new Dictionary<long, int> { [appId] = 3000 }, await OptionRowsAsync(host));

        // Back to the default: no row is left.
        await (await admin.PutAsJsonAsync($"/api/servers/{serverId}/domains/{appId}", new { targetPort = 80 })).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Empty(await OptionRowsAsync(host));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    [InlineData(int.MaxValue)]
    public async Task APortOutsideTheTcpRange_IsRefusedWithACode_AndWritesNothing(int port)
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var serverId = await host.InsertServerAsync(await admin.MyIdAsync());
        var domainId = (await admin.AddDomainOkAsync(serverId, "kept.example.com")).GetProperty("id").GetInt64();

        await (await admin.PostAsJsonAsync($"/api/servers/{serverId}/domains", new { domainName = "bad.example.com", targetPort = port }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "TARGET_PORT_INVALID");
        await (await admin.PutAsJsonAsync($"/api/servers/{serverId}/domains/{domainId}", new { domainName = "renamed.example.com", targetPort = port }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "TARGET_PORT_INVALID");

        Assert.Equal(["kept.example.com"], await host.DomainRowsAsync());
        Assert.Empty(await OptionRowsAsync(host));
    }

    private static async Task<Dictionary<long, int>> OptionRowsAsync(BerthTestHost host)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContextAsync();
        return await db.DomainOptions.ToDictionaryAsync(o => o.DomainId, o => o.TargetPort);
    }
}
