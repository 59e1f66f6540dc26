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

    [Theory]
    [InlineData("privileged", true)]
    [InlineData("caps", true)]
    [InlineData("sysbox", false)]
    public async Task TheIsolationInForce_IsPrintedAtStart_AndOnTheDashboard_WithAWarningWhenWeak(string profile, bool weak)
    {
        await using var host = await BerthTestHost.StartAsync(configure: settings => settings with { RuntimeProfile = profile });
        using var admin = await host.LoginAsync();

        var isolation = (await (await admin.GetAsync("/api/dashboard")).JsonAsync()).GetProperty("isolation");

        Assert.Equal(profile, isolation.GetProperty("profile").GetString());
        Assert.Equal(weak, isolation.GetProperty("weak").GetBoolean());
        Assert.StartsWith(weak ? "weak:" : "strong:", isolation.GetProperty("description").GetString(), StringComparison.Ordinal);
        var line = Assert.Single(host.StartupOutput.Split('\n'), l => l.StartsWith("Isolation: ", StringComparison.Ordinal));
        Assert.StartsWith($"Isolation: {profile} (", line, StringComparison.Ordinal);
        Assert.Equal(weak, line.Contains("Warning: this is the weakest kind of isolation", StringComparison.Ordinal));
    }
}
