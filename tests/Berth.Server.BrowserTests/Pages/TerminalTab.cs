namespace Berth.Server.BrowserTests.Pages;

/// <summary>The Terminal tab of a server's page: xterm.js terminals.</summary>
public sealed class TerminalTab(IPage page)
{
    public ILocator Screens => page.GetByTestId("terminal-screen");

    /// <summary>The rows xterm.js draws (its DOM renderer), as text.</summary>
    public ILocator Rows => page.Locator(".xterm-rows");

    public async Task OpenAsync()
    {
        await page.GetByRole(AriaRole.Tab, new() { Name = "Terminal", Exact = true }).ClickAsync();
        await Screens.First.WaitForAsync();
    }

    /// <summary>Types into the first terminal as a person would, then Enter.</summary>
    public async Task RunAsync(string command)
    {
        await Screens.First.ClickAsync();
        await page.Keyboard.TypeAsync(command);
        await page.Keyboard.PressAsync("Enter");
    }
}
