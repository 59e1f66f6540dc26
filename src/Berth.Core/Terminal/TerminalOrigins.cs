using System.Globalization;

namespace Berth.Core.Terminal;

/// <summary>
/// The exact origins a terminal's WebSocket may be opened from (cross-site WebSocket hijacking:
/// a browser sends the session cookie with a WebSocket request from any page, so the Origin header
/// decides). Origins compare as scheme, host and port, lower-cased, the default port left out.
/// </summary>
public sealed class TerminalOrigins(IEnumerable<string> origins)
{
    private readonly HashSet<string> _allowed = [.. origins.Select(Normalise).OfType<string>()];

    public IReadOnlyCollection<string> Allowed => _allowed;

    /// <summary>Whether the Origin header's value is one of the allowed origins; a missing one never is.</summary>
    public bool Allows(string? origin) => Normalise(origin) is { } normalised && _allowed.Contains(normalised);

    /// <summary><c>scheme://host[:port]</c> of an http(s) origin, or null when it is not one (paths, user info, "null").</summary>
    public static string? Normalise(string? origin)
    {
        if (string.IsNullOrWhiteSpace(origin) || !Uri.TryCreate(origin.Trim(), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0 || uri.PathAndQuery is not ("/" or "")
            || uri.Fragment.Length > 0 || uri.Host.Length == 0)
        {
            return null;
        }

        return uri.IsDefaultPort
            ? $"{uri.Scheme}://{uri.Host.ToLowerInvariant()}"
            : string.Create(CultureInfo.InvariantCulture, $"{uri.Scheme}://{uri.Host.ToLowerInvariant()}:{uri.Port}");
    }
}
