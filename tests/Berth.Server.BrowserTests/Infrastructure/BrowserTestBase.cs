using System.Runtime.CompilerServices;

namespace Berth.Server.BrowserTests.Infrastructure;

/// <summary>
/// A fresh browser context (its own cookies, like one person) per <see cref="RunAsync"/>; when
/// the test fails, a screenshot of every page it had open goes to the results folder
/// (BERTH_TEST_RESULTS, which scripts/test.sh sets, else TestResults/ beside the tests).
/// </summary>
public abstract class BrowserTestBase(PanelFixture fixture)
{
    public static readonly string ResultsDirectory = Path.Combine(
        Environment.GetEnvironmentVariable("BERTH_TEST_RESULTS") is { Length: > 0 } results ? results : Path.Combine(AppContext.BaseDirectory, "TestResults"),
        "screenshots");

    protected PanelFixture Fixture { get; } = fixture;

    /// <summary>A new person at the panel; phone width when asked.</summary>
    protected async Task<IPage> NewPersonAsync(List<IBrowserContext> contexts, bool phone = false, string? language = null)
    {
        var context = await Fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Fixture.BaseAddress.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            Locale = language ?? "en-US",
        });
        context.SetDefaultTimeout(15_000);
        contexts.Add(context);
        return await context.NewPageAsync();
    }

    protected async Task RunAsync(Func<List<IBrowserContext>, Task> test, [CallerMemberName] string name = "")
    {
        var contexts = new List<IBrowserContext>();
        try
        {
            await test(contexts);
        }
        catch
        {
            Directory.CreateDirectory(ResultsDirectory);
            var n = 0;
            foreach (var page in contexts.SelectMany(c => c.Pages))
            {
                try
                {
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ResultsDirectory, $"{GetType().Name}.{name}.{n++}.png"), FullPage = true });
                }
                catch (PlaywrightException)
                {
                    // The page is gone; the failure itself still reaches the report.
                }
            }

            throw;
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.CloseAsync();
            }
        }
    }
}
