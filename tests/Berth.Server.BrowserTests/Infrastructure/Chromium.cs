namespace Berth.Server.BrowserTests.Infrastructure;

/// <summary>
/// The system Chromium (Debian's package; scripts/test.sh installs it), driven by Playwright.
/// Playwright's own browser download cannot work here, so the executable is given; a missing
/// browser fails every browser test with the reason, never skips it. One browser per test process.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static IPlaywright? _playwright;
    private static IBrowser? _browser;

    public static async Task<IBrowser> LaunchAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_browser is { IsConnected: true })
            {
                return _browser;
            }

            if (!File.Exists(ExecutablePath))
            {
                throw new InvalidOperationException(
                    $"Chromium is missing at {ExecutablePath}: the browser tests need it (apt-get install chromium; scripts/test.sh installs it).");
            }

            _playwright ??= await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
                    // Tenants' domains (*.test) resolve to the loopback, where the edge listens.
                    "--host-resolver-rules=MAP *.test 127.0.0.1",
                ],
            });
            return _browser;
        }
        finally
        {
            Gate.Release();
        }
    }
}
