namespace Berth.Server.BrowserTests.Pages;

/// <summary>Users administration.</summary>
public sealed class UsersPage(IPage page) : PanelPage(page)
{
    public ILocator Rows => Page.Locator("tbody tr");

    public ILocator Row(string email) => Page.Locator("tr").Filter(new() { Has = Page.Locator(".user-email", new() { HasText = email }) });

    public async Task SearchAsync(string text) => await Page.Locator("#users-search").FillAsync(text);

    public async Task CreateAsync(string email, string password)
    {
        await Page.GetByTestId("new-user").ClickAsync();
        await Page.Locator("#user-email").FillAsync(email);
        await Page.Locator("#user-password").FillAsync(password);
        await Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Row(email).WaitForAsync();
    }

    public async Task SetEnabledAsync(string email, bool enabled)
    {
        var toggle = Row(email).Locator("input[type=checkbox]");
        if (await toggle.IsCheckedAsync() != enabled)
        {
            await toggle.ClickAsync();
        }
    }
}
