using System.Text.RegularExpressions;

namespace Berth.Server.BrowserTests.Pages;

/// <summary>What every signed-in page has: the live connection, the menu, messages.</summary>
public abstract partial class PanelPage(IPage page)
{
    protected IPage Page { get; } = page;

    public ILocator Heading => Page.Locator("h1");

    /// <summary>A snackbar message.</summary>
    public ILocator Message(string text) => Page.Locator(".mud-snackbar").Filter(new() { HasText = text });

    /// <summary>
    /// Waits until the page is interactive: prerendered markup is there before the live connection,
    /// and a click before it would be lost. The bounds are generous: the first sign-in of a run meets
    /// a machine busy starting every other test project, and once took 16 s to arrive.
    /// </summary>
    public async Task WaitUntilLiveAsync()
    {
        await Page.WaitForURLAsync(NotSignIn(), new() { Timeout = 45_000 });
        await Page.Locator(".mud-layout[data-live='true']").WaitForAsync(new() { Timeout = 45_000 });
    }

    public async Task GoToAsync(string linkName)
    {
        await Page.GetByRole(AriaRole.Link, new() { Name = linkName, Exact = true }).ClickAsync();
    }

    [GeneratedRegex("^(?!.*/signin).*$")]
    private static partial Regex NotSignIn();
}
