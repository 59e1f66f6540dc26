using Berth.Server.BrowserTests.Infrastructure;
using Berth.Server.BrowserTests.Pages;
using Berth.Server.Hosting;
using Berth.Server.Tests.Domains;
using static Microsoft.Playwright.Assertions;

namespace Berth.Server.BrowserTests;

/// <summary>The panel fixture with domain verification on, asking the run's DNS server.</summary>
public sealed class VerifyingPanelFixture : PanelFixture
{
    protected override ServeSettings Configure(ServeSettings settings) => TestDns.VerifyingDomains(settings);
}

/// <summary>A domain waiting for its proof shows the TXT record to create, and goes live from "Check now".</summary>
public sealed class VerifyingDomainsInThePanelTests(VerifyingPanelFixture fixture) : BrowserTestBase(fixture), IClassFixture<VerifyingPanelFixture>
{
    [Fact]
    public Task APendingDomain_ShowsTheRecordToCreate_AndCheckNowVerifiesIt() => RunAsync(async contexts =>
    {
        const string name = "site.panel.verify.test";
        await TestDns.ClearTxtAsync("_berth-verify." + name);
        var ownerId = await Fixture.CreateUserAsync("hana@example.com", "hana-password-1");
        var serverId = await Fixture.AddServerRowAsync(ownerId, "hana site");
        var page = await NewPersonAsync(contexts);
        await new SignInPage(page).SignInToServersAsync("hana@example.com", "hana-password-1");
        await page.GotoAsync($"/servers/{serverId}");
        var server = new ServerPage(page);
        await server.WaitUntilLiveAsync();

        await server.AddDomainAsync(name);

        var verification = server.DomainRow(name).GetByTestId("verification");
        await Expect(verification).ToHaveAttributeAsync("data-state", "pending");
        await Expect(verification).ToContainTextAsync("Not live yet");
        var record = verification.Locator(".txt-record");
        await Expect(record).ToContainTextAsync($"_berth-verify.{name} TXT \"berth-verify-");
        var text = await record.InnerTextAsync();
        var token = text[(text.IndexOf('"', StringComparison.Ordinal) + 1)..text.LastIndexOf('"')];

        await TestDns.SetTxtAsync("_berth-verify." + name, token);
        await verification.GetByRole(AriaRole.Button, new() { Name = $"Check the TXT record of {name} now" }).ClickAsync();

        await Expect(server.DomainRow(name).GetByTestId("verification")).ToHaveCountAsync(0);
        await Expect(page.GetByText($"{name} is verified and goes live.")).ToBeVisibleAsync();
    });
}
