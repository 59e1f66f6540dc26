using System.Net;
using Berth.Server.Hosting;
using Berth.Server.Tests.Edge;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Domains;

/// <summary>The edge fixture (Alice's and Bob's running servers with a page on port 80) with domain verification on.</summary>
public sealed class VerifyingEdgeFixture : EdgeFixture
{
    protected override ServeSettings Configure(ServeSettings settings) => TestDns.VerifyingDomains(settings);
}

/// <summary>A name squatted before its owner added it, or left pointing here, is not served until control is proved.</summary>
[Collection(SharedEngine.Name)]
public sealed class PublishingOnlyVerifiedNamesTests(VerifyingEdgeFixture fixture) : IClassFixture<VerifyingEdgeFixture>
{
    [Fact]
    public async Task AnUnverifiedName_GetsNoRoute_UntilItsOwnersTokenIsInTheTxtRecord()
    {
        const string name = "shop.edge.verify.test";
        await TestDns.ClearTxtAsync("_berth-verify." + name);
        var added = await fixture.Alice.AddDomainOkAsync(fixture.AliceServer, name);
        // A name under the apps domain, added after: once it is served, a route pass has seen both.
        await fixture.Alice.AddDomainOkAsync(fixture.AliceServer, "shop-check.apps.berth.test");
        await Poll.UntilAsync(() => fixture.GetThroughEdgeAsync("shop-check.apps.berth.test"), r => r.StatusCode == HttpStatusCode.OK);

        var pending = await fixture.GetThroughEdgeAsync(name);

        Assert.Equal(HttpStatusCode.NotFound, pending.StatusCode);
        Assert.DoesNotContain("alice's page", await pending.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var verification = added.GetProperty("verification");
        await TestDns.SetTxtAsync(verification.GetProperty("record").GetString()!, verification.GetProperty("token").GetString()!);
        var verify = await fixture.Alice.PostAsync($"/api/servers/{fixture.AliceServer}/domains/{added.GetProperty("id").GetInt64()}/verify", null);
        await verify.AssertStatusAsync(HttpStatusCode.OK);

        var served = await Poll.UntilAsync(() => fixture.GetThroughEdgeAsync(name), r => r.StatusCode == HttpStatusCode.OK);
        Assert.Contains("alice's page", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
