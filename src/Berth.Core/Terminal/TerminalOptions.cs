using Microsoft.Extensions.Options;

namespace Berth.Core.Terminal;

/// <summary>Settings of the web terminal (configuration section <c>Berth:Terminal</c>), validated at start.</summary>
public sealed class TerminalOptions
{
    public const string Section = "Berth:Terminal";

    /// <summary>How long a shell whose connection was lost waits for its browser to come back.</summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A terminal with no input and no output for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a connection ticket stays valid (at most 30 s).</summary>
    public TimeSpan TicketLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Recent output kept for a browser that reconnects.</summary>
    public int ReplayBytes { get; set; } = 64 * 1024;

    /// <summary>Open terminals one user may hold at once.</summary>
    public int MaxSessionsPerUser { get; set; } = 20;

    /// <summary>How often open terminals re-check their user's session and access, idleness and grace periods.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Origins (scheme://host[:port]) allowed to open a terminal besides the panel's own listening
    /// addresses and control host: e.g. the public address of a reverse proxy in front of Berth.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];
}

internal sealed class TerminalOptionsValidation : IValidateOptions<TerminalOptions>
{
    public ValidateOptionsResult Validate(string? name, TerminalOptions options)
    {
        List<string> failures = [];
        if (options.GracePeriod < TimeSpan.Zero || options.GracePeriod > TimeSpan.FromDays(1))
        {
            failures.Add($"{TerminalOptions.Section}:{nameof(TerminalOptions.GracePeriod)} must be between 0 and 1 day.");
        }

        if (options.IdleTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{TerminalOptions.Section}:{nameof(TerminalOptions.IdleTimeout)} must be positive.");
        }

        if (options.TicketLifetime <= TimeSpan.Zero || options.TicketLifetime > TimeSpan.FromSeconds(30))
        {
            failures.Add($"{TerminalOptions.Section}:{nameof(TerminalOptions.TicketLifetime)} must be positive and at most 30 seconds.");
        }

        if (options.ReplayBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"{TerminalOptions.Section}:{nameof(TerminalOptions.ReplayBytes)} must be between 1024 and 16777216.");
        }

        if (options.MaxSessionsPerUser < 1)
        {
            failures.Add($"{TerminalOptions.Section}:{nameof(TerminalOptions.MaxSessionsPerUser)} must be at least 1.");
        }

        if (options.CheckInterval <= TimeSpan.Zero)
        {
            failures.Add($"{TerminalOptions.Section}:{nameof(TerminalOptions.CheckInterval)} must be positive.");
        }

        foreach (var origin in options.AllowedOrigins)
        {
            if (TerminalOrigins.Normalise(origin) is null)
            {
                failures.Add($"{TerminalOptions.Section}:{nameof(TerminalOptions.AllowedOrigins)}: '{origin}' is not an origin like https://panel.example.com.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
