namespace Berth.Server.BrowserTests.Pages;

/// <summary>The account page: password, SSH keys, API tokens, recent activity.</summary>
public sealed class AccountPage(IPage page) : PanelPage(page)
{
    public ILocator SshKeys => Page.GetByTestId("ssh-keys-section");

    public ILocator SshKeyRow(string name) => SshKeys.Locator("tr").Filter(new() { HasText = name });

    /// <summary>Opens the page by its address and waits for the live connection: a key typed into the prerendered form would be lost.</summary>
    public async Task OpenAsync()
    {
        await Page.GotoAsync("/account");
        await WaitUntilLiveAsync();
    }

    public async Task AddSshKeyAsync(string name, string publicKey)
    {
        await Page.Locator("#ssh-key-name").FillAsync(name);
        await Page.Locator("#ssh-public-key").FillAsync(publicKey);
        await Page.GetByTestId("add-ssh-key").ClickAsync();
    }
}
