using System.Net;
using Berth.Core.Domains;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Accounts;

public sealed class DashboardTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Dashboard_ShowsTheSeedQuery43Figures(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var bobId = await admin.CreateUserAsync("bob@example.com", "bobs-password");
        await admin.CreateUserAsync("carol@example.com", "carols-password");
        await ManagingUsersTests.AddServersAsync(host, bobId, (1, false), (2, false), (3, true));
        await using (var db = host.Database.CreateContext())
        {
            var stopped = await db.VirtualServers.FindAsync(2L);
            stopped!.Enabled = false;
            db.DomainNames.Add(new DomainName { VirtualServerId = 1, Name = "one.example.com" });
            db.DomainNames.Add(new DomainName { VirtualServerId = 1, Name = "two.example.com" });
            await db.SaveChangesAsync();
        }

        var response = await admin.GetAsync("/api/dashboard");

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var figures = await response.JsonAsync();
        Assert.Equal(3, figures.GetProperty("users").GetInt32());
        Assert.Equal(1, figures.GetProperty("virtualServersRunning").GetInt32());
        Assert.Equal(2, figures.GetProperty("virtualServersTotal").GetInt32());
        Assert.Equal(2, figures.GetProperty("domains").GetInt32());
    }
}
