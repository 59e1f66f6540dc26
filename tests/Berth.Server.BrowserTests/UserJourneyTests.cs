using Berth.Server.BrowserTests.Infrastructure;
using Berth.Server.BrowserTests.Pages;
using Berth.Server.Edge;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Berth.Server.BrowserTests;

/// <summary>
/// The whole way through, in a real browser against Berth on real Kestrel and a real Docker
/// engine: an admin invites, a user registers, runs a server, publishes an app under a domain
/// through the edge, and deletes the server again.
/// </summary>
public sealed class UserJourneyTests(EnginePanelFixture fixture) : BrowserTestBase(fixture), IClassFixture<EnginePanelFixture>
{
    [Fact]
    public Task AnInvitedUser_RunsAServer_PublishesItUnderADomain_AndDeletesIt() => RunAsync(async contexts =>
    {
        // The admin signs in and generates a registration code on the dashboard.
        var adminPage = await NewPersonAsync(contexts);
        await new SignInPage(adminPage).SignInToServersAsync(BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);
        var dashboard = new DashboardPage(adminPage);
        await dashboard.GoToAsync("Dashboard");
        await Expect(dashboard.Heading).ToHaveTextAsync("Dashboard");
        var code = await dashboard.GenerateCodeAsync();
        Assert.Matches("^[A-Z0-9]{8}$", code);

        // The invited user registers with it and lands on an empty servers list.
        var userPage = await NewPersonAsync(contexts);
        var signUp = new SignUpPage(userPage);
        await signUp.OpenAsync();
        await signUp.SignUpAsync(code, "journey@example.com", "journey-password-1");
        var servers = new ServersPage(userPage);
        await servers.WaitUntilLiveAsync();
        await Expect(servers.EmptyState).ToBeVisibleAsync();

        // Creates a server and watches it come up.
        await servers.CreateAsync("journey shop");
        await Expect(servers.Row("journey shop")).ToBeVisibleAsync();
        await Expect(servers.StateOf("journey shop")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = 180_000 });

        // Adds a domain on the server's page.
        var server = await servers.OpenServerAsync("journey shop");
        await Expect(server.State).ToHaveAttributeAsync("data-state", "running");
        await server.AddDomainAsync("shop.journey.test");

        // An app on the server's port 80 answers under that domain, through the edge, in the browser.
        var serverId = long.Parse(userPage.Url.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        await ServerWebApp.RunAsync(Fixture.Host.Services.GetRequiredService<Core.Servers.ServerContainers>(), serverId, "journey app page");
        var edge = Fixture.Host.Services.GetRequiredService<EdgeRuntime>().Host!.HttpAddresses[0];
        var visitor = await NewPersonAsync(contexts);
        var response = await visitor.GotoAsync($"http://shop.journey.test:{edge.Port}/");
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        await Expect(visitor.Locator("body")).ToContainTextAsync("journey app page");

        // Deletes the server with a typed confirmation; the list is empty again and the domain is gone from the edge.
        await server.DeleteAsync("journey shop");
        await userPage.WaitForURLAsync(Fixture.BaseAddress.ToString());
        await Expect(servers.EmptyState).ToBeVisibleAsync();
        var after = await visitor.GotoAsync($"http://shop.journey.test:{edge.Port}/");
        Assert.Equal(404, after!.Status);
    });
}
