using Berth.Server.BrowserTests.Infrastructure;
using Berth.Server.BrowserTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace Berth.Server.BrowserTests;

/// <summary>The SSH keys section of the account page: a key ssh-keygen made is added, shown with its fingerprint, refused twice, and deleted.</summary>
public sealed class SshKeysPanelTests(PanelFixture fixture) : BrowserTestBase(fixture), IClassFixture<PanelFixture>
{
    [Fact]
    public Task AKey_IsAddedWithItsFingerprint_RefusedAgain_AndDeleted() => RunAsync(async contexts =>
    {
        using var folder = new TempDirectory("berth-sshkeys-panel");
        var path = await new SshKeygen(folder.Path).GenerateAsync("ed25519", comment: "gina@laptop");
        var (_, fingerprint, _) = await SshKeygen.FingerprintAsync(path + ".pub");
        var publicKey = (await SshKeygen.PublicKeyAsync(path)).Trim();
        await Fixture.CreateUserAsync("gina@example.com", "gina-password-1");
        var page = await NewPersonAsync(contexts);
        await new SignInPage(page).SignInToServersAsync("gina@example.com", "gina-password-1");
        var account = new AccountPage(page);
        await account.OpenAsync();
        var section = account.SshKeys;
        await Expect(section).ToContainTextAsync("No SSH keys yet.");

        // The name left empty: the key's comment names it.
        await account.AddSshKeyAsync("", publicKey);
        var row = account.SshKeyRow("gina@laptop");
        await Expect(row.Locator(".ssh-fingerprint")).ToHaveTextAsync(fingerprint);

        await account.AddSshKeyAsync("again", publicKey);
        await Expect(page.Locator(".mud-snackbar.mud-alert-filled-error")).ToContainTextAsync("already in your account");
        await Expect(section.Locator(".ssh-fingerprint")).ToHaveCountAsync(1);

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete key gina@laptop" }).ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(section).ToContainTextAsync("No SSH keys yet.");
    });
}
