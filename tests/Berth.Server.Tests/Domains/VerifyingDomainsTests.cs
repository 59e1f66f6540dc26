using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Domains;

/// <summary>
/// A name outside the apps domain goes live only once its owner proves control with a TXT record
/// <c>_berth-verify.&lt;name&gt;</c> holding their token, looked up at a real DNS server (the run's
/// pebble-challtestsrv). Each test uses names of its own: the DNS server is shared by the whole run.
/// </summary>
public sealed class VerifyingDomainsTests
{
    [Fact]
    public async Task ANameOutsideTheAppsDomain_IsPending_ThenFailsOnAnotherToken_AndIsVerifiedByItsOwnersToken()
    {
        await using var host = await BerthTestHost.StartAsync(configure: TestDns.VerifyingDomains);
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        var (bob, bobId) = await host.UserAsync(admin, "bob@example.com");
        var aliceServer = await host.InsertServerAsync(aliceId);
        var bobServer = await host.InsertServerAsync(bobId);
        const string name = "shop.pending.verify.test";
        const string record = "_berth-verify." + name;
        await TestDns.ClearTxtAsync(record);

        var added = await alice.AddDomainOkAsync(aliceServer, name, ssl: true);
        var verification = added.GetProperty("verification");
        Assert.Equal("pending", verification.GetProperty("status").GetString());
        Assert.Equal(record, verification.GetProperty("record").GetString());
        var aliceToken = verification.GetProperty("token").GetString()!;
        Assert.StartsWith("berth-verify-", aliceToken, StringComparison.Ordinal);
        Assert.Contains(record, verification.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var domainId = added.GetProperty("id").GetInt64();

        // Bob's token (read from one of his own names) in Alice's record proves nothing for Alice.
        var bobToken = (await bob.AddDomainOkAsync(bobServer, "bob.pending.verify.test")).GetProperty("verification").GetProperty("token").GetString()!;
        Assert.NotEqual(aliceToken, bobToken);
        await TestDns.SetTxtAsync(record, bobToken);
        var failed = (await VerifyAsync(alice, aliceServer, domainId)).GetProperty("verification");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains("does not hold this account's token", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);

        await TestDns.SetTxtAsync(record, aliceToken);
        var verified = (await VerifyAsync(alice, aliceServer, domainId)).GetProperty("verification");
        Assert.Equal("verified", verified.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, verified.GetProperty("lastError").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, verified.GetProperty("checkedAt").ValueKind);
        var read = await (await alice.GetAsync($"/api/servers/{aliceServer}/domains/{domainId}")).JsonAsync();
        Assert.Equal("verified", read.GetProperty("verification").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ARecordMadeBeforeAdding_VerifiesTheNameAtOnce_AndARenameNeedsAProofOfItsOwn()
    {
        await using var host = await BerthTestHost.StartAsync(configure: TestDns.VerifyingDomains);
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        var server = await host.InsertServerAsync(aliceId);
        var token = (await alice.AddDomainOkAsync(server, "first.early.verify.test")).GetProperty("verification").GetProperty("token").GetString()!;
        await TestDns.SetTxtAsync("_berth-verify.ready.early.verify.test", token);
        await TestDns.ClearTxtAsync("_berth-verify.renamed.early.verify.test");

        var added = await alice.AddDomainOkAsync(server, "ready.early.verify.test");
        Assert.Equal("verified", added.GetProperty("verification").GetProperty("status").GetString());

        var renamed = await alice.PutAsJsonAsync($"/api/servers/{server}/domains/{added.GetProperty("id").GetInt64()}", new { domainName = "renamed.early.verify.test" });
        await renamed.AssertStatusAsync(HttpStatusCode.OK);
        var verification = (await renamed.JsonAsync()).GetProperty("verification");
        Assert.Equal("pending", verification.GetProperty("status").GetString());
        Assert.Equal("_berth-verify.renamed.early.verify.test", verification.GetProperty("record").GetString());
    }

    [Fact]
    public async Task NamesUnderTheAppsDomain_NeedNoProof_AndThePlatformsOwnNamesAreReserved()
    {
        await using var host = await BerthTestHost.StartAsync(configure: TestDns.VerifyingDomains);
        using var admin = await host.LoginAsync();
        var server = await host.InsertServerAsync(await admin.MyIdAsync());

        var apps = (await admin.AddDomainOkAsync(server, "myapp.apps.berth.test")).GetProperty("verification");
        Assert.Equal("verified", apps.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, apps.GetProperty("record").ValueKind);

        foreach (var reserved in new[] { "panel.berth.test", "login.panel.berth.test", "a.b.panel.berth.test" })
        {
            var response = await admin.AddDomainAsync(server, reserved);
            await response.AssertStatusAsync(HttpStatusCode.BadRequest);
            Assert.Equal("DOMAIN_RESERVED", (await response.JsonAsync()).GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task WithVerificationOff_EveryValidNameIsVerified_AsTheOperatorChose()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var server = await host.InsertServerAsync(await admin.MyIdAsync());

        var verification = (await admin.AddDomainOkAsync(server, "anything.off.verify.test")).GetProperty("verification");

        Assert.Equal("verified", verification.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, verification.GetProperty("token").ValueKind);
    }

    private static async Task<JsonElement> VerifyAsync(HttpClient client, long serverId, long domainId)
    {
        var response = await client.PostAsync($"/api/servers/{serverId}/domains/{domainId}/verify", null);
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return await response.JsonAsync();
    }
}
