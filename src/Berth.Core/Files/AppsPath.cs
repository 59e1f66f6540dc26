using System.Text;
using Berth.Core.Errors;

namespace Berth.Core.Files;

/// <summary>
/// A path as the caller names it, relative to the server's <c>/apps</c>: <c>/</c> is <c>/apps</c>
/// itself, <c>x</c> means <c>/x</c>, and an absolute path such as <c>/etc/passwd</c> means
/// <c>/apps/etc/passwd</c>. A <c>..</c> is refused rather than
/// clamped (a client that sends one has a bug worth seeing); so are control characters and NUL.
/// This only checks the words: the kernel decides where a name leads (see <see cref="ServerFolder"/>).
/// </summary>
public sealed class AppsPath
{
    private const int MaxBytes = 4096;
    private const int MaxNameBytes = 255;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private AppsPath(IReadOnlyList<string> names) => Names = names;

    /// <summary>The names from <c>/apps</c> down; empty for <c>/apps</c> itself.</summary>
    public IReadOnlyList<string> Names { get; }

    public bool IsRoot => Names.Count == 0;

    public string Name => IsRoot ? "" : Names[^1];

    /// <summary>The path relative to <c>/apps</c> as the kernel gets it (<c>.</c> for the root).</summary>
    public string Relative => IsRoot ? "." : string.Join('/', Names);

    public AppsPath Parent => IsRoot ? this : new AppsPath(Names.Take(Names.Count - 1).ToArray());

    public AppsPath Child(string name) => new([.. Names, CheckName(name)]);

    /// <summary>As shown to people and in activity rows: <c>/sub/file</c>.</summary>
    public override string ToString() => "/" + string.Join('/', Names);

    public static AppsPath Parse(string? path)
    {
        path ??= "/";
        if (Encoding.UTF8.GetByteCount(path) > MaxBytes)
        {
            throw Invalid("length", "The path is longer than 4096 bytes.");
        }

        var names = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            names.Add(CheckName(part));
        }

        return new AppsPath(names);
    }

    /// <summary>One name: no slash, not <c>.</c> or <c>..</c>, no control character, at most 255 bytes.</summary>
    public static string CheckName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name is "." or "..")
        {
            throw Invalid(name == ".." ? "parent" : "empty", name == ".." ? "A path may not use \"..\": paths are relative to /apps." : "A name may not be empty, \".\" or \"..\".");
        }

        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw Invalid("slash", "A name may not contain \"/\".");
        }

        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                throw Invalid("control", "A name may not contain control characters.");
            }
        }

        try
        {
            _ = Strict.GetByteCount(name);
        }
        catch (EncoderFallbackException)
        {
            throw Invalid("encoding", "A name must be valid Unicode.");
        }

        if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            throw Invalid("length", "A name may be at most 255 bytes long.");
        }

        return name;
    }

    private static BerthException Invalid(string reason, string message) =>
        new(ErrorKind.Invalid, "PATH_INVALID", message) { Reason = reason };
}
