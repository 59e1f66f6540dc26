namespace Berth.Server.BrowserTests.Pages;

/// <summary>The sign-in form (a plain form post that sets the session cookie).</summary>
public sealed class SignInPage(IPage page)
{
    public ILocator Error => page.GetByRole(AriaRole.Alert);

    public async Task OpenAsync() => await page.GotoAsync("/signin");

    public async Task SignInAsync(string email, string password)
    {
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Signs in and waits for the live panel (the servers list) to be connected.</summary>
    public async Task<ServersPage> SignInToServersAsync(string email, string password)
    {
        await OpenAsync();
        await SignInAsync(email, password);
        var servers = new ServersPage(page);
        await servers.WaitUntilLiveAsync();
        return servers;
    }
}
