using System.Globalization;

namespace Berth.Core.Servers;

/// <summary>
/// The host folders of virtual servers under <c>&lt;data root&gt;/SERVERS</c>: <c>&lt;id&gt;/apps</c>
/// (the tenant's files, mounted at /apps) and <c>&lt;id&gt;/docker</c> (the inner engine's storage).
/// The tenant is root inside the server and can plant symlinks anywhere in both, so nothing here
/// ever follows a link: links are removed or counted as links, never as their targets.
/// </summary>
public sealed class ServerDirectories(string serversRoot)
{
    public string Root { get; } = Path.GetFullPath(serversRoot);

    public string ServerFolder(long id) => Path.Combine(Root, id.ToString(CultureInfo.InvariantCulture));

    public string Apps(long id) => Path.Combine(ServerFolder(id), "apps");

    public string Docker(long id) => Path.Combine(ServerFolder(id), "docker");

    public void Create(long id)
    {
        Directory.CreateDirectory(Apps(id));
        Directory.CreateDirectory(Docker(id));
    }

    /// <summary>
    /// Deletion keeps the tenant's files: the engine storage is dropped and <c>&lt;id&gt;</c> is
    /// renamed to <c>&lt;id&gt;-deleted-&lt;unix seconds&gt;</c>. Returns the archive folder, or null
    /// when the server had no folder.
    /// </summary>
    public string? Archive(long id, DateTimeOffset at)
    {
        var folder = ServerFolder(id);
        if (!Directory.Exists(folder) || IsLink(folder))
        {
            return null;
        }

        DeleteWithoutFollowingLinks(Docker(id));
        var archive = Path.Combine(Root, $"{id.ToString(CultureInfo.InvariantCulture)}-deleted-{at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}");
        for (var n = 1; Directory.Exists(archive) || File.Exists(archive); n++)
        {
            archive = Path.Combine(Root, $"{id.ToString(CultureInfo.InvariantCulture)}-deleted-{at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}-{n}");
        }

        Directory.Move(folder, archive);
        return archive;
    }

    /// <summary>Bytes used under <paramref name="path"/>, counting a symlink as itself, never its target.</summary>
    public static long MeasureBytes(string path)
    {
        var root = new DirectoryInfo(path);
        if (!root.Exists || root.LinkTarget is not null)
        {
            return 0;
        }

        long total = 0;
        var pending = new Stack<DirectoryInfo>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var entry in SafeEntries(directory))
            {
                if (entry.LinkTarget is not null)
                {
                    continue;
                }

                if (entry is DirectoryInfo child)
                {
                    pending.Push(child);
                }
                else if (entry is FileInfo file)
                {
                    total += file.Length;
                }
            }
        }

        return total;
    }

    /// <summary>Removes a folder tree; a symlink inside is removed as a link, and what it points to is left alone.</summary>
    public static void DeleteWithoutFollowingLinks(string path)
    {
        var root = new DirectoryInfo(path);
        if (root.LinkTarget is not null)
        {
            File.Delete(path);
            return;
        }

        if (!root.Exists)
        {
            return;
        }

        foreach (var entry in SafeEntries(root))
        {
            if (entry is DirectoryInfo child && child.LinkTarget is null)
            {
                DeleteWithoutFollowingLinks(child.FullName);
            }
            else
            {
                // Files, links (to files or folders) and special files: unlink the entry itself.
                File.Delete(entry.FullName);
            }
        }

        Directory.Delete(path, recursive: false);
    }

    private static bool IsLink(string path) => new DirectoryInfo(path).LinkTarget is not null;

    private static IEnumerable<FileSystemInfo> SafeEntries(DirectoryInfo directory) =>
        directory.EnumerateFileSystemInfos("*", new EnumerationOptions
        {
            RecurseSubdirectories = false,
            AttributesToSkip = 0,
            IgnoreInaccessible = true,
            ReturnSpecialDirectories = false,
        });
}
