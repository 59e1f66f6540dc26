namespace Berth.TestUtilities;

/// <summary>
/// Real services the tests need (PostgreSQL, dockerd, Pebble, Chromium) are started by
/// scripts/test.sh and announced through environment variables. A missing one fails the test
/// loudly; it is never skipped.
/// </summary>
public static class RequiredService
{
    public static string Get(string variable, string what) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{what} is required but {variable} is not set. Run the tests through scripts/test.sh, which starts it " +
                "(or start it yourself and set the variable, see CONTRIBUTING.md).");
}
