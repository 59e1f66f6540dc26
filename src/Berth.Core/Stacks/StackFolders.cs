using System.Text;
using Berth.Core.Errors;
using Berth.Core.Files;

namespace Berth.Core.Stacks;

/// <summary>A stack's folder under the server's <c>/apps</c>: <c>stacks/&lt;name&gt;</c> (or the original platform's <c>aplikacijos/&lt;name&gt;</c>) and its compose file's name.</summary>
internal sealed record StackFolder(StackName Name, string Root, string? ComposeFile)
{
    public AppsPath Path => AppsPath.Parse(Root).Child(Name.Value);

    /// <summary>The folder as the server sees it (built from the checked name only).</summary>
    public string InServer => $"/apps/{Root}/{Name.Value}";

    public AppsPath File(string name) => Path.Child(name);
}

/// <summary>
/// Finds and reads stack folders through the file manager's safe path layer (<see cref="ServerFolder"/>:
/// openat2 beneath the server's <c>/apps</c>), so a link planted by the tenant never leads Berth out.
/// </summary>
internal static class StackFolders
{
    public const string DefaultRoot = "stacks";
    public const string EnvFileName = ".env";

    /// <summary>Where stacks are looked for, in order: Berth's own folder first, then the original platform's.</summary>
    public static readonly string[] Roots = [DefaultRoot, "aplikacijos"];

    /// <summary>The compose file names Compose itself looks for, in its order.</summary>
    public static readonly string[] ComposeFiles = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static List<StackFolder> List(ServerFolder folder)
    {
        var found = new Dictionary<string, StackFolder>(StringComparer.Ordinal);
        foreach (var root in Roots)
        {
            var rootPath = AppsPath.Parse(root);
            if (!folder.IsFolder(rootPath))
            {
                continue;
            }

            foreach (var entry in folder.List(rootPath))
            {
                if (entry.Kind == FileKind.Folder && StackName.TryParse(entry.Name, out var name) && !found.ContainsKey(name.Value))
                {
                    var stack = new StackFolder(name, root, null);
                    if (ComposeFileOf(folder, stack) is { } file)
                    {
                        found[name.Value] = stack with { ComposeFile = file };
                    }
                }
            }
        }

        return [.. found.Values.OrderBy(s => s.Name.Value, StringComparer.Ordinal)];
    }

    /// <summary>The stack's folder (with or without a compose file yet); null when there is none.</summary>
    public static StackFolder? Find(ServerFolder folder, StackName name)
    {
        foreach (var root in Roots)
        {
            var stack = new StackFolder(name, root, null);
            if (folder.IsFolder(stack.Path))
            {
                return stack with { ComposeFile = ComposeFileOf(folder, stack) };
            }
        }

        return null;
    }

    /// <summary>A text file and its version, or null when it does not exist.</summary>
    public static (string Text, string Version)? Read(ServerFolder folder, AppsPath path, int maxBytes)
    {
        if (folder.VersionOf(path) is null)
        {
            return null;
        }

        var (stream, stat) = folder.OpenRead(path);
        using (stream)
        {
            if (stat.Size > maxBytes)
            {
                throw new BerthException(ErrorKind.TooLarge, "STACK_FILE_TOO_LARGE", $"{path} is larger than {maxBytes} bytes.");
            }

            var bytes = new byte[stat.Size];
            stream.ReadExactly(bytes);
            try
            {
                return (StrictUtf8.GetString(bytes), FileVersion.Of(stat));
            }
            catch (DecoderFallbackException)
            {
                throw new BerthException(ErrorKind.UnsupportedMediaType, "NOT_TEXT", $"{path} is not UTF-8 text.");
            }
        }
    }

    /// <summary>Writes <paramref name="text"/> over <paramref name="path"/>, complete or not at all.</summary>
    public static void Write(ServerFolder folder, AppsPath path, string text)
    {
        using var upload = folder.BeginUpload(path);
        upload.Write(Encoding.UTF8.GetBytes(text));
        upload.Commit();
    }

    private static string? ComposeFileOf(ServerFolder folder, StackFolder stack)
    {
        foreach (var name in ComposeFiles)
        {
            try
            {
                if (folder.VersionOf(stack.File(name)) is not null)
                {
                    return name;
                }
            }
            catch (BerthException)
            {
                // Not a regular file (a folder, a link leading out): not a compose file.
            }
        }

        return null;
    }
}
