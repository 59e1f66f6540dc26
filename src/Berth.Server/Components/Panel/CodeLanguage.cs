namespace Berth.Server.Components.Panel;

/// <summary>
/// The languages the panel's code editor highlights (CodeEditor.razor; the names are the ones
/// ClientLibraries/src/code-editor.js knows). Anything else is edited as plain text.
/// </summary>
public static class CodeLanguage
{
    public const string Text = "text";
    public const string Yaml = "yaml";
    public const string Json = "json";
    public const string Shell = "shell";
    public const string Dockerfile = "dockerfile";
    public const string Env = "env";
    public const string Markdown = "markdown";

    /// <summary>Chooses the language by a file's name (the last part of a path), the way an editor would.</summary>
    public static string ForFileName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = path[(path.LastIndexOf('/') + 1)..].ToLowerInvariant();
        if (name is "dockerfile" or "containerfile" || name.StartsWith("dockerfile.", StringComparison.Ordinal) || name.EndsWith(".dockerfile", StringComparison.Ordinal))
        {
            return Dockerfile;
        }

        // .env, .env.local, app.env: environment files are KEY=value lines.
        if (name == ".env" || name.StartsWith(".env.", StringComparison.Ordinal) || name.EndsWith(".env", StringComparison.Ordinal))
        {
            return Env;
        }

        if (name is ".bashrc" or ".profile" or ".bash_profile" or ".bash_aliases")
        {
            return Shell;
        }

        return Path.GetExtension(name) switch
        {
            ".yml" or ".yaml" => Yaml,
            ".json" => Json,
            ".sh" or ".bash" => Shell,
            ".md" or ".markdown" => Markdown,
            _ => Text,
        };
    }
}
