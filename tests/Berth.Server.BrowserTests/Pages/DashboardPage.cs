namespace Berth.Server.BrowserTests.Pages;

/// <summary>The admin dashboard: figures, activity, the registration-code widget.</summary>
public sealed class DashboardPage(IPage page) : PanelPage(page)
{
    public ILocator Code => Page.GetByTestId("registration-code");

    public ILocator Figure(string label) => Page.Locator(".figure").Filter(new() { HasText = label }).Locator(".figure-value");

    public ILocator Activity => Page.Locator(".activity-list");

    public async Task<string> GenerateCodeAsync()
    {
        await Page.GetByTestId("generate-code").ClickAsync();
        await Code.WaitForAsync();
        return (await Code.InnerTextAsync()).Trim();
    }
}
