namespace Berth.Server.BrowserTests.Pages;

/// <summary>One server: state, domains, containers, usage, limits, actions.</summary>
public sealed class ServerPage(IPage page) : PanelPage(page)
{
    public ILocator State => Page.Locator(".header-meta .state-badge");

    public ILocator DomainRow(string domain) => Page.Locator("tr").Filter(new() { Has = Page.Locator(".domain-name", new() { HasText = domain }) });

    public ILocator DomainField => Page.Locator("#domain-name");

    public ILocator DomainError => Page.Locator(".mud-dialog .mud-input-helper-text.mud-input-error");

    public ILocator AddDomainSubmit => Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Add domain" });

    public async Task OpenAddDomainAsync() => await Page.GetByTestId("add-domain").ClickAsync();

    public async Task TypeDomainAsync(string name)
    {
        await DomainField.FillAsync("");
        await DomainField.PressSequentiallyAsync(name);
    }

    public async Task AddDomainAsync(string name)
    {
        await OpenAddDomainAsync();
        await TypeDomainAsync(name);
        await Assertions.Expect(AddDomainSubmit).ToBeEnabledAsync();
        await AddDomainSubmit.ClickAsync();
        await DomainRow(name).WaitForAsync();
    }

    /// <summary>Deletes the server; the confirm button stays disabled until the name is typed exactly.</summary>
    public async Task DeleteAsync(string serverName)
    {
        await Page.GetByTestId("delete-server").ClickAsync();
        var dialog = Page.Locator(".mud-dialog");
        var confirm = dialog.GetByRole(AriaRole.Button, new() { Name = "Delete" });
        await Assertions.Expect(confirm).ToBeDisabledAsync();
        await Page.Locator("#confirm-typing").FillAsync(serverName[..^1]);
        await Assertions.Expect(confirm).ToBeDisabledAsync();
        await Page.Locator("#confirm-typing").FillAsync(serverName);
        await Assertions.Expect(confirm).ToBeEnabledAsync();
        await confirm.ClickAsync();
    }
}
