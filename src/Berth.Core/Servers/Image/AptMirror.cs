namespace Berth.Core.Servers.Image;

/// <summary>
/// Finds the Debian mirror this machine's apt uses (the only network the image build touches),
/// from deb822 <c>*.sources</c> files and one-line <c>sources.list</c> entries.
/// </summary>
public static class AptMirror
{
    public const string Fallback = "http://deb.debian.org/debian";

    /// <summary>The first mirror that serves <paramref name="suite"/> main, excluding security archives.</summary>
    public static string Detect(string suite, string aptDirectory = "/etc/apt")
    {
        var files = new List<string>();
        var list = Path.Combine(aptDirectory, "sources.list");
        if (File.Exists(list))
        {
            files.Add(list);
        }

        var parts = Path.Combine(aptDirectory, "sources.list.d");
        if (Directory.Exists(parts))
        {
            files.AddRange(Directory.EnumerateFiles(parts).Where(f => f.EndsWith(".sources", StringComparison.Ordinal) || f.EndsWith(".list", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        }

        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var found = file.EndsWith(".sources", StringComparison.Ordinal) ? FromDeb822(text, suite) : FromOneLine(text, suite);
            if (found is not null)
            {
                return found;
            }
        }

        return Fallback;
    }

    internal static string? FromDeb822(string text, string suite)
    {
        foreach (var stanza in text.Replace("\r", "", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = stanza.Split('\n')
                .Where(l => !l.StartsWith('#') && l.Contains(':', StringComparison.Ordinal))
                .Select(l => l.Split(':', 2))
                .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);
            if (fields.TryGetValue("Types", out var types) && Words(types).Contains("deb")
                && fields.TryGetValue("Suites", out var suites) && Words(suites).Contains(suite)
                && fields.TryGetValue("Components", out var components) && Words(components).Contains("main")
                && fields.TryGetValue("URIs", out var uris))
            {
                var uri = Words(uris).FirstOrDefault(IsMirror);
                if (uri is not null)
                {
                    return uri;
                }
            }
        }

        return null;
    }

    internal static string? FromOneLine(string text, string suite)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split('#', 2)[0];
            var options = line.IndexOf('[', StringComparison.Ordinal);
            if (options >= 0 && line.IndexOf(']', options) is var end and > 0)
            {
                line = line[..options] + line[(end + 1)..];
            }

            var words = Words(line).ToList();
            if (words.Count >= 4 && words[0] == "deb" && words[2] == suite && words.Skip(3).Contains("main") && IsMirror(words[1]))
            {
                return words[1];
            }
        }

        return null;
    }

    private static bool IsMirror(string uri) =>
        (uri.StartsWith("http://", StringComparison.Ordinal) || uri.StartsWith("https://", StringComparison.Ordinal))
        && !uri.Contains("security", StringComparison.OrdinalIgnoreCase);

    private static string[] Words(string value) => value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
}
