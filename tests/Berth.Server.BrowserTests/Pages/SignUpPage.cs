namespace Berth.Server.BrowserTests.Pages;

/// <summary>Registration with a code.</summary>
public sealed class SignUpPage(IPage page)
{
    public ILocator Error => page.GetByRole(AriaRole.Alert);

    public async Task OpenAsync() => await page.GotoAsync("/signup");

    public async Task SignUpAsync(string code, string email, string password)
    {
        await page.GetByLabel("Registration code").FillAsync(code);
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
    }
}
