using Berth.Core.Domains;
using Berth.Core.Servers;
using Berth.Server.BrowserTests.Infrastructure;
using Berth.Server.BrowserTests.Pages;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Berth.Server.BrowserTests;

/// <summary>
/// Pictures of each main page with a real running server in it: scripts/screenshots.sh runs this
/// with BERTH_SCREENSHOTS_DIR=docs/screenshots; in the normal run the pictures go to the results folder.
/// </summary>
[Trait("Category", "Screenshots")]
public sealed class ScreenshotTests(EnginePanelFixture fixture) : BrowserTestBase(fixture), IClassFixture<EnginePanelFixture>
{
    private static readonly string Target = Environment.GetEnvironmentVariable("BERTH_SCREENSHOTS_DIR") is { Length: > 0 } dir
        ? Path.GetFullPath(dir)
        : Path.Combine(ResultsDirectory, "pages");

    private static readonly string[] Pictures = ["sign-in", "sign-up", "servers", "server", "account", "servers-phone", "dashboard", "users", "all-servers", "server-terminal", "server-files", "server-stacks"];

    [Fact]
    public Task EachMainPage_IsPictured() => RunAsync(async contexts =>
    {
        Directory.CreateDirectory(Target);
        var userId = await Fixture.CreateUserAsync("maria@example.com", "maria-password-1");
        long serverId;
        await using (var scope = Fixture.Host.Services.CreateAsyncScope())
        {
            var servers = scope.ServiceProvider.GetRequiredService<ServersService>();
            serverId = (await servers.CreateAsync(userId, "maria shop", CancellationToken.None)).Id;
            var domains = scope.ServiceProvider.GetRequiredService<DomainsService>();
            await domains.AddAsync(userId, false, serverId, "shop.maria.test", ssl: false, isCloudflare: false, originPulls: false, targetPort: 80, CancellationToken.None);
            await domains.AddAsync(userId, false, serverId, "www.maria.test", ssl: true, isCloudflare: false, originPulls: false, targetPort: 80, CancellationToken.None);
        }

        var visitor = await NewPersonAsync(contexts);
        await visitor.GotoAsync("/signin");
        await ShootAsync(visitor, "sign-in");
        await visitor.GotoAsync("/signup");
        await ShootAsync(visitor, "sign-up");

        var user = await NewPersonAsync(contexts);
        var list = await new SignInPage(user).SignInToServersAsync("maria@example.com", "maria-password-1");
        await Expect(list.StateOf("maria shop")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = 180_000 });
        await ShootAsync(user, "servers");
        await list.OpenServerAsync("maria shop");
        await ShootAsync(user, "server");
        var terminal = new TerminalTab(user);
        await terminal.OpenAsync();
        await Expect(terminal.Rows.First).ToContainTextAsync("/apps#", new() { Timeout = 30_000 });
        await terminal.RunAsync("mkdir -p site && printf 'services:\\n  web:\\n    image: nginx\\n' > compose.yaml && echo 'Labas, pasauli' > site/index.html && ls -la");
        await Expect(terminal.Rows.First).ToContainTextAsync("compose.yaml", new() { Timeout = 20_000 });
        await ShootAsync(user, "server-terminal");
        await user.GetByRole(AriaRole.Tab, new() { Name = "Files", Exact = true }).ClickAsync();
        await Expect(user.Locator("[data-testid=files-row][data-name='compose.yaml']")).ToBeVisibleAsync();
        await ShootAsync(user, "server-files");
        await user.GetByRole(AriaRole.Tab, new() { Name = "Stacks", Exact = true }).ClickAsync();
        await user.GetByTestId("stack-new").ClickAsync();
        await user.GetByTestId("stack-template").ClickAsync();
        await user.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Static site (nginx)" }).ClickAsync();
        await Expect(user.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        await user.GetByTestId("stack-check").ClickAsync();
        await Expect(user.GetByTestId("stack-valid")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        // The editor scrolled the page; a full-page picture of a scrolled page draws the fixed app bar mid-page.
        await user.EvaluateAsync("window.scrollTo(0, 0)");
        await ShootAsync(user, "server-stacks");
        await list.GoToAsync("Account");
        await ShootAsync(user, "account");

        var phone = await NewPersonAsync(contexts, phone: true);
        await new SignInPage(phone).SignInToServersAsync("maria@example.com", "maria-password-1");
        await ShootAsync(phone, "servers-phone");

        var admin = await NewPersonAsync(contexts);
        var adminPages = await new SignInPage(admin).SignInToServersAsync(BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);
        var dashboard = new DashboardPage(admin);
        await dashboard.GoToAsync("Dashboard");
        await dashboard.GenerateCodeAsync();
        await ShootAsync(admin, "dashboard");
        await adminPages.GoToAsync("Users");
        await ShootAsync(admin, "users");
        await adminPages.GoToAsync("All servers");
        await Expect(adminPages.Row("maria shop")).ToBeVisibleAsync();
        await ShootAsync(admin, "all-servers");

        foreach (var name in Pictures)
        {
            Assert.True(new FileInfo(Path.Combine(Target, name + ".png")).Length > 5_000, $"{name}.png is missing or empty");
        }
    });

    private static async Task ShootAsync(IPage page, string name)
    {
        await page.Locator("h1, h2").First.WaitForAsync();
        // Snackbars and ripples settle before the picture.
        await page.WaitForTimeoutAsync(600);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Target, name + ".png"), FullPage = true });
    }
}
