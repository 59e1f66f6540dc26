using System.Net;
using System.Net.Http.Json;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Domains;

/// <summary>A domain name belongs to one server on the whole platform; a clash is a 400 DOMAIN_TAKEN, never a 500.</summary>
public sealed class DomainNamesAreUniqueTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task ANameTakenByAnotherUser_InAnyCase_IsRefused_OnAddAndOnEdit(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        var (bob, bobId) = await host.UserAsync(admin, "bob@example.com");
        using var a = alice;
        using var b = bob;
        var aliceServer = await host.InsertServerAsync(aliceId);
        var bobServer = await host.InsertServerAsync(bobId);

        await alice.AddDomainOkAsync(aliceServer, "taken.example.com");
        await (await bob.AddDomainAsync(bobServer, "taken.example.com")).AssertProblemAsync(HttpStatusCode.BadRequest, "DOMAIN_TAKEN");
        await (await bob.AddDomainAsync(bobServer, " TAKEN.Example.Com")).AssertProblemAsync(HttpStatusCode.BadRequest, "DOMAIN_TAKEN");
        await (await alice.AddDomainAsync(aliceServer, "Taken.example.com")).AssertProblemAsync(HttpStatusCode.BadRequest, "DOMAIN_TAKEN");

        var bobs = await bob.AddDomainOkAsync(bobServer, "free.example.com");
        var edit = await bob.PutAsJsonAsync($"/api/servers/{bobServer}/domains/{bobs.GetProperty("id").GetInt64()}", new { domainName = "TAKEN.example.com" });
        await edit.AssertProblemAsync(HttpStatusCode.BadRequest, "DOMAIN_TAKEN");

        Assert.Equal(["free.example.com", "taken.example.com"], await host.DomainRowsAsync());
        var validation = await (await bob.GetAsync($"/api/domains/validate?name=Taken.Example.com&serverId={bobServer}")).JsonAsync();
        Assert.False(validation.GetProperty("valid").GetBoolean());
        Assert.Equal("DOMAIN_TAKEN", validation.GetProperty("code").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task ManyRequestsRacingForOneName_OneWins_TheOthersGetDomainTaken(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var adminId = await admin.MyIdAsync();
        var servers = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            servers.Add(await host.InsertServerAsync(adminId));
        }

        var clients = new List<HttpClient>();
        for (var i = 0; i < servers.Count; i++)
        {
            clients.Add(await host.LoginAsync());
        }

        var responses = await Task.WhenAll(servers.Select((id, i) => clients[i].AddDomainAsync(id, i % 2 == 0 ? "race.example.com" : "RACE.example.com")));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var lost in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await lost.AssertProblemAsync(HttpStatusCode.BadRequest, "DOMAIN_TAKEN");
        }

        Assert.Equal(["race.example.com"], await host.DomainRowsAsync());
        clients.ForEach(c => c.Dispose());
    }
}
