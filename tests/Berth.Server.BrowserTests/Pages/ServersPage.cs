namespace Berth.Server.BrowserTests.Pages;

/// <summary>The signed-in user's servers, with create, start/stop, rename and delete.</summary>
public sealed class ServersPage(IPage page) : PanelPage(page)
{
    public ILocator EmptyState => Page.Locator(".empty-state");

    public ILocator Row(string serverName) => Page.Locator("tr").Filter(new() { Has = Page.GetByRole(AriaRole.Link, new() { Name = serverName, Exact = true }) });

    public ILocator StateOf(string serverName) => Row(serverName).Locator(".state-badge");

    public ILocator NameField => Page.Locator("#server-name");

    public ILocator NameError => Page.Locator(".mud-dialog .mud-input-helper-text.mud-input-error");

    public ILocator CreateButton => Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Create" });

    public async Task OpenNewServerDialogAsync() => await Page.GetByTestId("new-server").ClickAsync();

    public async Task TypeNameAsync(string name)
    {
        await NameField.FillAsync("");
        await NameField.PressSequentiallyAsync(name);
    }

    /// <summary>Creates a server, its name filled in at once (as a paste or autofill would).</summary>
    public async Task CreateAsync(string name)
    {
        await OpenNewServerDialogAsync();
        await NameField.FillAsync(name);
        await CreateButton.ClickAsync();
    }

    public async Task<ServerPage> OpenServerAsync(string name)
    {
        await Page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).ClickAsync();
        var server = new ServerPage(Page);
        await server.Heading.Filter(new() { HasText = name }).WaitForAsync();
        return server;
    }
}
