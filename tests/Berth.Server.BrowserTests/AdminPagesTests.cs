using Berth.Server.BrowserTests.Infrastructure;
using Berth.Server.BrowserTests.Pages;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Berth.Server.BrowserTests;

/// <summary>The administrator's pages: dashboard figures and activity, users, all servers with their owners.</summary>
public sealed class AdminPagesTests(PanelFixture fixture) : BrowserTestBase(fixture), IClassFixture<PanelFixture>
{
    [Fact]
    public Task TheDashboard_ShowsTheSeedsFigures_TheActivity_AndACodeWithItsCountdown() => RunAsync(async contexts =>
    {
        await Fixture.CreateUserAsync("figures@example.com", "figures-password-1");
        var page = await NewPersonAsync(contexts);
        await new SignInPage(page).SignInToServersAsync(BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);
        var dashboard = new DashboardPage(page);
        await dashboard.GoToAsync("Dashboard");

        var users = int.Parse(await dashboard.Figure("Users").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(users >= 2, $"users figure {users}");
        await Expect(dashboard.Activity).ToContainTextAsync("logged in");
        var hostUsage = page.GetByRole(AriaRole.Heading, new() { Name = "Host usage (all servers)" });
        await Expect(hostUsage).ToBeVisibleAsync();
        await Expect(page.Locator("dl.host-usage")).ToContainTextAsync("Containers running");
        var profile = Fixture.Host.Services.GetRequiredService<Berth.Core.Servers.RuntimeProfileHolder>().Profile;
        await Expect(page.GetByTestId("isolation")).ToContainTextAsync($"Virtual servers run with the {profile.Name} runtime profile");

        await dashboard.GenerateCodeAsync();
        await Expect(page.GetByRole(AriaRole.Timer)).ToContainTextAsync("Valid for 29:");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy the code" })).ToBeVisibleAsync();
    });

    [Fact]
    public Task Users_CanBeCreated_Searched_AndDisabled_WhichEndsTheirOpenSession() => RunAsync(async contexts =>
    {
        await Fixture.CreateUserAsync("carol@example.com", "carol-password-1");
        var carol = await NewPersonAsync(contexts);
        await new SignInPage(carol).SignInToServersAsync("carol@example.com", "carol-password-1");

        var admin = await NewPersonAsync(contexts);
        await new SignInPage(admin).SignInToServersAsync(BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);
        var users = new UsersPage(admin);
        await users.GoToAsync("Users");
        await users.CreateAsync("dave@example.com", "dave-password-1");

        await users.SearchAsync("dave@");
        await Expect(users.Rows).ToHaveCountAsync(1);
        await Expect(users.Row("dave@example.com")).ToBeVisibleAsync();
        await users.SearchAsync("");

        await users.SetEnabledAsync("carol@example.com", enabled: false);
        await Expect(users.Message("carol@example.com disabled")).ToBeVisibleAsync();

        // Carol's page, left open, ends by itself (the live connection re-checks its session), and she cannot sign in again.
        await carol.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/signin"), new() { Timeout = 60_000 });
        var signIn = new SignInPage(carol);
        await signIn.SignInAsync("carol@example.com", "carol-password-1");
        await Expect(signIn.Error).ToContainTextAsync("The email or password is not correct.");
    });

    [Fact]
    public Task AllServers_ListsEveryServerWithItsOwner() => RunAsync(async contexts =>
    {
        var ownerId = await Fixture.CreateUserAsync("erin@example.com", "erin-password-1");
        await Fixture.AddServerRowAsync(ownerId, "erin blog");

        var page = await NewPersonAsync(contexts);
        var servers = await new SignInPage(page).SignInToServersAsync(BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);
        await servers.GoToAsync("All servers");
        await Expect(servers.Heading).ToHaveTextAsync("All servers");
        await Expect(servers.Row("erin blog")).ToContainTextAsync("erin@example.com");
    });

    [Fact]
    public Task AUser_CannotOpenTheAdminPages() => RunAsync(async contexts =>
    {
        await Fixture.CreateUserAsync("frank@example.com", "frank-password-1");
        var page = await NewPersonAsync(contexts);
        var servers = await new SignInPage(page).SignInToServersAsync("frank@example.com", "frank-password-1");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Dashboard" })).ToHaveCountAsync(0);

        await page.GotoAsync("/admin/users");
        await Expect(servers.Heading).ToHaveTextAsync("Servers");
        await Expect(page.Locator(".user-email")).ToHaveCountAsync(0);
    });
}
