using Berth.Server.BrowserTests.Infrastructure;
using Berth.Server.BrowserTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace Berth.Server.BrowserTests;

/// <summary>The Forwards section of the server page: where to connect, and the dry run's messages as each field is typed.</summary>
public sealed class ForwardsPanelTests(PanelFixture fixture) : BrowserTestBase(fixture), IClassFixture<PanelFixture>
{
    [Fact]
    public Task AForward_IsAdded_CheckedAsTyped_AndDeleted() => RunAsync(async contexts =>
    {
        var ownerId = await Fixture.CreateUserAsync("fiona@example.com", "fiona-password-1");
        var serverId = await Fixture.AddServerRowAsync(ownerId, "fiona db");
        var page = await NewPersonAsync(contexts);
        await new SignInPage(page).SignInToServersAsync("fiona@example.com", "fiona-password-1");
        await page.GotoAsync($"/servers/{serverId}");
        var server = new ServerPage(page);
        await server.WaitUntilLiveAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Port forwards", Exact = true }).ClickAsync();
        var section = page.GetByTestId("forwards-section");
        await Expect(section).ToContainTextAsync("Public ports are 30000–30029.");
        var dialog = page.Locator(".mud-dialog");
        var error = dialog.Locator(".mud-input-helper-text.mud-input-error");
        var add = dialog.GetByRole(AriaRole.Button, new() { Name = "Add forward" });

        // The public port left empty: the first free port of the pool is picked.
        await page.GetByTestId("add-forward").ClickAsync();
        await page.Locator("#forward-internal-port").FillAsync("5432");
        await page.Locator("#forward-description").FillAsync("postgres");
        await Expect(page.Locator("#forward-description")).ToHaveValueAsync("postgres");
        await Expect(error).ToHaveCountAsync(0);
        // The app behind it reads the PROXY protocol: the list says so beside the address.
        await page.GetByTestId("forward-proxy-protocol").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "PROXY v2" }).ClickAsync();
        await add.ClickAsync();
        var row = section.Locator("tr").Filter(new() { HasText = "postgres" });
        await Expect(row.Locator(".forward-address")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(":30000$"));
        await Expect(row.Locator(".forward-proxy-protocol")).ToHaveTextAsync("· PROXY v2");

        await page.GetByTestId("add-forward").ClickAsync();
        await page.Locator("#forward-internal-port").FillAsync("6379");
        await page.Locator("#forward-public-port").PressSequentiallyAsync("80");
        await Expect(error).ToHaveTextAsync("Public port 80 is not available: public ports are 30000–30029.");
        await add.ClickAsync();
        await Expect(error).ToHaveTextAsync("Public port 80 is not available: public ports are 30000–30029.");
        await page.Locator("#forward-public-port").FillAsync("");
        await page.Locator("#forward-public-port").PressSequentiallyAsync("30000");
        await Expect(error).ToHaveTextAsync("Public port 30000 is already used by another forward.");
        await page.Locator("#forward-public-port").FillAsync("");
        await page.Locator("#forward-public-port").PressSequentiallyAsync("30007");
        await Expect(error).ToHaveCountAsync(0);
        await add.ClickAsync();
        await Expect(section.Locator(".forward-address")).ToHaveCountAsync(2);
        await Expect(section.Locator(".forward-address").Nth(1)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(":30007$"));
        await Expect(section.Locator(".forward-proxy-protocol")).ToHaveCountAsync(1);

        await row.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Delete forward") }).ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(section.Locator(".forward-address")).ToHaveCountAsync(1);
        await Expect(section).Not.ToContainTextAsync("postgres");
    });
}
