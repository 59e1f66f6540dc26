using System.Net;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Accounts;

public sealed class ReadingActivityTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Users_SeeTheirOwnActivity_AdminsSeeEveryonesFilteredAndPaged(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var bobId = await admin.CreateUserAsync("bob@example.com", "bobs-password");
        using (await host.LoginAsync("bob@example.com", "bobs-password"))
        {
        }

        using var bob = await host.LoginAsync("bob@example.com", "bobs-password");

        var own = await (await bob.GetAsync("/api/me/activity")).JsonAsync();
        var ownItems = own.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, own.GetProperty("total").GetInt32());
        Assert.All(ownItems, a => Assert.Equal(bobId, a.GetProperty("userId").GetInt64()));
        Assert.All(ownItems, a => Assert.Equal("User bob@example.com logged in (IP: 127.0.0.1)", a.GetProperty("message").GetString()));
        Assert.True(ownItems[0].GetProperty("id").GetInt64() > ownItems[1].GetProperty("id").GetInt64(), "newest first");

        var everyone = await (await admin.GetAsync("/api/activity?pageSize=2&page=1")).JsonAsync();
        Assert.Equal(2, everyone.GetProperty("items").GetArrayLength());
        Assert.Equal(5, everyone.GetProperty("total").GetInt32());
        var lastPage = await (await admin.GetAsync("/api/activity?pageSize=2&page=3")).JsonAsync();
        Assert.Single(lastPage.GetProperty("items").EnumerateArray());

        var filtered = await (await admin.GetAsync($"/api/activity?userId={bobId}")).JsonAsync();
        Assert.Equal(2, filtered.GetProperty("total").GetInt32());
        Assert.All(filtered.GetProperty("items").EnumerateArray(), a => Assert.Equal("bob@example.com", a.GetProperty("email").GetString()));

        await (await admin.GetAsync("/api/activity?pageSize=0")).AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_PAGE");
        await (await admin.GetAsync("/api/activity?page=-1")).AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_PAGE");
        await (await bob.GetAsync("/api/activity")).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
    }
}
