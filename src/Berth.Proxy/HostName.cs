namespace Berth.Proxy;

/// <summary>Reduces a <c>Host</c> header value to the name that routes are keyed by.</summary>
internal static class HostName
{
    /// <summary>Strips the port and one trailing dot; case is left to the case-insensitive comparer.</summary>
    public static ReadOnlySpan<char> FromHeader(ReadOnlySpan<char> header)
    {
        if (header.Length > 0 && header[0] == '[')
        {
            var close = header.IndexOf(']');
            return close < 0 ? header : header[..(close + 1)];
        }

        var colon = header.IndexOf(':');
        if (colon >= 0)
        {
            header = header[..colon];
        }

        if (header.Length > 0 && header[^1] == '.')
        {
            header = header[..^1];
        }

        return header;
    }

    /// <summary>The stored form of a configured host: trimmed, without trailing dot, lower case.</summary>
    public static string Normalize(string host)
    {
        var name = FromHeader(host.AsSpan().Trim());
        return name.ToString().ToLowerInvariant();
    }
}
