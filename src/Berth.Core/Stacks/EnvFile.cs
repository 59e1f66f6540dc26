namespace Berth.Core.Stacks;

/// <summary>
/// A stack's <c>.env</c> read the way Compose reads it for the common forms (<c>KEY=value</c>,
/// <c>export KEY=value</c>, quoted values, comments), so that a proposed file can be validated
/// before it is written: the variables go to <c>docker compose config</c> as its environment.
/// </summary>
internal static class EnvFile
{
    public static Dictionary<string, string> Parse(string? text, List<StackMessage> messages)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(text))
        {
            return variables;
        }

        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? line[..equals].Trim() : line;
            if (equals <= 0 || !IsKey(key))
            {
                messages.Add(StackMessage.Fail(null, $".env line {number}: expected KEY=value."));
                continue;
            }

            var value = line[(equals + 1)..].Trim();
            if (value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }
            else if (value.IndexOf(" #", StringComparison.Ordinal) is var comment and >= 0)
            {
                value = value[..comment].TrimEnd();
            }

            variables[key] = value;
        }

        return variables;
    }

    private static bool IsKey(string key) =>
        key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_') && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.' || c == '-');
}
