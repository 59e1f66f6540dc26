using System.Text.RegularExpressions;

namespace Berth.Docker;

/// <summary>
/// The labels put on every container, network and image this library creates: a "managed" mark
/// and a session id, so that everything one process (or one test run) made can be found and
/// removed again by label, whatever happened to the process in between.
/// </summary>
public sealed partial class ResourceLabels
{
    /// <summary>Creates the label set.</summary>
    /// <param name="prefix">Reverse-DNS style key prefix, e.g. <c>org.example</c>.</param>
    /// <param name="sessionId">Id of this session; see <see cref="NewSessionId"/>.</param>
    public ResourceLabels(string prefix, string sessionId)
    {
        if (!PrefixPattern().IsMatch(prefix))
        {
            throw new ArgumentException($"Label prefix '{prefix}' must be lowercase letters, digits, dots and dashes.", nameof(prefix));
        }

        if (!SessionPattern().IsMatch(sessionId))
        {
            throw new ArgumentException($"Session id '{sessionId}' must be 1-64 lowercase letters, digits or dashes.", nameof(sessionId));
        }

        Prefix = prefix;
        SessionId = sessionId;
    }

    /// <summary>The key prefix.</summary>
    public string Prefix { get; }

    /// <summary>The session id written into <see cref="SessionKey"/>.</summary>
    public string SessionId { get; }

    /// <summary>Key whose value is <c>true</c> on every managed resource.</summary>
    public string ManagedKey => $"{Prefix}.managed";

    /// <summary>Key whose value is the session id.</summary>
    public string SessionKey => $"{Prefix}.session";

    /// <summary>A fresh random session id.</summary>
    public static string NewSessionId() => Guid.NewGuid().ToString("N")[..16];

    /// <summary>The managed and session labels plus <paramref name="extra"/> (which may not override them).</summary>
    public Dictionary<string, string> Apply(IReadOnlyDictionary<string, string>? extra = null)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                labels[key] = value;
            }
        }

        labels[ManagedKey] = "true";
        labels[SessionKey] = SessionId;
        return labels;
    }

    /// <summary>An Engine API <c>label</c> filter selecting this session's resources.</summary>
    internal Dictionary<string, IDictionary<string, bool>> SessionFilter() => new()
    {
        ["label"] = new Dictionary<string, bool> { [$"{SessionKey}={SessionId}"] = true },
    };

    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")]
    private static partial Regex PrefixPattern();

    [GeneratedRegex("^[a-z0-9-]{1,64}$")]
    private static partial Regex SessionPattern();
}
