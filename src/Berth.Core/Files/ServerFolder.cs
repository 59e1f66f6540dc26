using System.Globalization;
using Berth.Core.Errors;
using Microsoft.Win32.SafeHandles;

namespace Berth.Core.Files;

/// <summary>
/// One server's <c>/apps</c> on the host, held as a directory descriptor. Every operation starts
/// from that descriptor: a path is resolved by the kernel with openat2(RESOLVE_BENEATH |
/// RESOLVE_NO_MAGICLINKS), so no <c>..</c>, absolute link or magic link can lead outside, and a link
/// swapped in between is re-checked by the same call (decision 0007). The last name of a path is then
/// acted on relative to its parent's descriptor without following it: a link is listed, renamed or
/// deleted as a link; a FIFO, socket or device is listed but never opened.
/// </summary>
public sealed class ServerFolder : IDisposable
{
    private const int AT_FDCWD = -100;
    private const ulong Beneath = Native.RESOLVE_BENEATH | Native.RESOLVE_NO_MAGICLINKS;

    /// <summary>Deeper trees are refused by archive and delete: the tenant could nest folders to exhaust Berth's stack or descriptors.</summary>
    internal const int MaxDepth = 256;

    private readonly int _root;

    private ServerFolder(int root) => _root = root;

    /// <summary>
    /// Opens <paramref name="appsHostPath"/> (SERVERS/&lt;id&gt;/apps: its parents are Berth's own,
    /// out of the tenant's reach, and the last name is not followed if it is a link).
    /// </summary>
    public static ServerFolder Open(string appsHostPath)
    {
        var fd = Native.OpenAt(AT_FDCWD, appsHostPath, Native.O_PATH | Native.O_DIRECTORY | Native.O_NOFOLLOW);
        if (fd < 0)
        {
            throw BerthException.NotFound("FILES_NOT_FOUND", "This server has no files folder yet.");
        }

        return new ServerFolder(fd);
    }

    public void Dispose() => Native.Close(_root);

    public List<FileEntry> List(AppsPath path)
    {
        using var dir = Resolve(path, Native.O_RDONLY | Native.O_DIRECTORY);
        var names = new List<string>();
        Check(Native.ReadNames(dir.Fd, names), path);
        var entries = new List<FileEntry>(names.Count);
        foreach (var name in names)
        {
            if (Native.Stat(dir.Fd, name, out var stat) != 0)
            {
                continue; // Removed in between.
            }

            entries.Add(FileEntry.From(name, stat, stat.IsLink ? Native.ReadLink(dir.Fd, name) : null));
        }

        return entries;
    }

    /// <summary>The entry itself (a link is described, not followed).</summary>
    public FileEntry Stat(AppsPath path)
    {
        if (path.IsRoot)
        {
            using var root = Resolve(path, Native.O_PATH | Native.O_DIRECTORY);
            Check(Native.Stat(root.Fd, "", out var rootStat), path);
            return FileEntry.From("", rootStat, null);
        }

        using var parent = ResolveParent(path);
        Check(Native.Stat(parent.Fd, path.Name, out var stat), path);
        return FileEntry.From(path.Name, stat, stat.IsLink ? Native.ReadLink(parent.Fd, path.Name) : null);
    }

    public bool IsFolder(AppsPath path)
    {
        var fd = Native.OpenAt2(_root, path.Relative, Native.O_PATH | Native.O_DIRECTORY, Beneath);
        if (fd < 0)
        {
            return false;
        }

        Native.Close(fd);
        return true;
    }

    /// <summary>
    /// Opens a regular file for reading. The path may go through links that stay beneath /apps (as
    /// inside the server); the file is first taken as an O_PATH descriptor (which opens nothing),
    /// checked to be a regular file, and only then reopened for reading through that same
    /// descriptor: a device or FIFO swapped in is never opened.
    /// </summary>
    internal (FileStream Stream, StatInfo Stat) OpenRead(AppsPath path)
    {
        using var handle = Resolve(path, Native.O_PATH);
        return OpenRegular(handle.Fd, path);
    }

    internal static (FileStream Stream, StatInfo Stat) OpenRegular(int pathFd, AppsPath path)
    {
        Check(Native.Stat(pathFd, "", out var stat), path);
        if (stat.IsDirectory)
        {
            throw BerthException.Invalid("NOT_A_FILE", $"{path} is a folder.");
        }

        if (!stat.IsRegular)
        {
            throw BerthException.Invalid("NOT_A_FILE", $"{path} is not a regular file (a FIFO, socket or device is never opened).");
        }

        // /proc/self/fd/N of our own O_PATH descriptor names exactly the inode checked above.
        var fd = Native.OpenAt(AT_FDCWD, "/proc/self/fd/" + pathFd.ToString(CultureInfo.InvariantCulture), Native.O_RDONLY | Native.O_NOCTTY | Native.O_NONBLOCK);
        Check(fd, path);
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            return (new FileStream(handle, FileAccess.Read, bufferSize: 0), stat);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void CreateFolder(AppsPath path)
    {
        RefuseRoot(path);
        using var parent = ResolveParent(path);
        Check(Native.MkdirAt(parent.Fd, path.Name, 0x1ED /* 0755 */), path);
    }

    public void CreateFile(AppsPath path)
    {
        RefuseRoot(path);
        using var parent = ResolveParent(path);
        var fd = Native.OpenAt(parent.Fd, path.Name, Native.O_WRONLY | Native.O_CREAT | Native.O_EXCL | Native.O_NOFOLLOW, 0x1A4 /* 0644 */);
        Check(fd, path);
        Native.Close(fd);
    }

    /// <summary>Renames without replacing anything at <paramref name="to"/>: a move never deletes.</summary>
    public void Move(AppsPath from, AppsPath to)
    {
        RefuseRoot(from);
        RefuseRoot(to);
        using var fromParent = ResolveParent(from);
        using var toParent = ResolveParent(to);
        var result = Native.RenameAt(fromParent.Fd, from.Name, toParent.Fd, to.Name, Native.RENAME_NOREPLACE);
        if (result == -Native.EINVAL)
        {
            throw BerthException.Invalid("MOVE_INTO_ITSELF", "A folder cannot be moved into itself.");
        }

        Check(result, result == -Native.EEXIST ? to : from);
    }

    /// <summary>Deletes a file, a link (not its target) or a folder with everything in it.</summary>
    public void Delete(AppsPath path)
    {
        RefuseRoot(path);
        using var parent = ResolveParent(path);
        Check(DeleteEntry(parent.Fd, path.Name, 0), path);
    }

    /// <summary>Starts a new file at <paramref name="path"/>: invisible until <see cref="Upload.Commit"/>.</summary>
    public Upload BeginUpload(AppsPath path)
    {
        RefuseRoot(path);
        var parent = ResolveParent(path);
        try
        {
            if (Native.Stat(parent.Fd, path.Name, out var existing) == 0 && existing.IsDirectory)
            {
                throw BerthException.Conflict("FILE_IS_FOLDER", $"{path} is a folder.");
            }

            return Upload.Start(parent, path);
        }
        catch
        {
            parent.Dispose();
            throw;
        }
    }

    /// <summary>The current version of a file (or null when nothing is there), for optimistic saves.</summary>
    public string? VersionOf(AppsPath path)
    {
        using var parent = ResolveParent(path);
        var result = Native.Stat(parent.Fd, path.Name, out var stat);
        if (result == -Native.ENOENT)
        {
            return null;
        }

        Check(result, path);
        return stat.IsRegular ? FileVersion.Of(stat) : throw BerthException.Invalid("NOT_A_FILE", $"{path} is not a regular file.");
    }

    internal Descriptor Resolve(AppsPath path, int flags)
    {
        var fd = Native.OpenAt2(_root, path.Relative, flags, Beneath);
        Check(fd, path);
        return new Descriptor(fd);
    }

    internal Descriptor ResolveParent(AppsPath path) => Resolve(path.Parent, Native.O_PATH | Native.O_DIRECTORY);

    private static void RefuseRoot(AppsPath path)
    {
        if (path.IsRoot)
        {
            throw BerthException.Invalid("PATH_IS_APPS", "This cannot be done to /apps itself.");
        }
    }

    private static int DeleteEntry(int parentFd, string name, int depth)
    {
        var result = Native.UnlinkAt(parentFd, name, directory: false);
        if (result != -Native.EISDIR && result != -Native.EPERM)
        {
            return result;
        }

        if (depth >= MaxDepth)
        {
            throw BerthException.Invalid("FOLDER_TOO_DEEP", $"Folders nested deeper than {MaxDepth} levels cannot be deleted here; use the terminal.");
        }

        // A real folder (O_NOFOLLOW | O_DIRECTORY: a link swapped in is refused, never entered).
        var dir = Native.OpenAt(parentFd, name, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_NOFOLLOW);
        if (dir < 0)
        {
            return dir;
        }

        try
        {
            var names = new List<string>();
            var read = Native.ReadNames(dir, names);
            if (read < 0)
            {
                return read;
            }

            foreach (var child in names)
            {
                var removed = DeleteEntry(dir, child, depth + 1);
                if (removed < 0 && removed != -Native.ENOENT)
                {
                    return removed;
                }
            }
        }
        finally
        {
            Native.Close(dir);
        }

        return Native.UnlinkAt(parentFd, name, directory: true);
    }

    /// <summary>Maps a failed call (minus errno) to the caller's error; a success passes.</summary>
    internal static void Check(int result, AppsPath path)
    {
        if (result >= 0)
        {
            return;
        }

        throw -result switch
        {
            Native.ENOENT => BerthException.NotFound("FILE_NOT_FOUND", $"{path} does not exist."),
            Native.EXDEV or Native.ELOOP => new BerthException(ErrorKind.Invalid, "PATH_OUTSIDE_APPS", $"{path} leads outside /apps (through a link); it is not followed.") { Reason = "link" },
            Native.ENOTDIR => BerthException.Invalid("NOT_A_FOLDER", $"A part of {path} is not a folder."),
            Native.EISDIR => BerthException.Conflict("FILE_IS_FOLDER", $"{path} is a folder."),
            Native.EEXIST => BerthException.Conflict("FILE_EXISTS", $"{path} already exists."),
            Native.ENOTEMPTY => BerthException.Conflict("FOLDER_NOT_EMPTY", $"{path} is a folder that is not empty."),
            Native.ENOSPC or Native.EDQUOT => new BerthException(ErrorKind.InsufficientStorage, "DISK_FULL", "The server's disk is full."),
            Native.EFBIG => new BerthException(ErrorKind.TooLarge, "FILE_TOO_LARGE", "The file is larger than the filesystem allows."),
            Native.ENAMETOOLONG => BerthException.Invalid("PATH_INVALID", $"{path} is too long."),
            Native.EACCES or Native.EPERM or Native.EROFS or Native.ETXTBSY or Native.EMLINK =>
                BerthException.Conflict("FILE_NOT_WRITABLE", $"{path} cannot be changed (the filesystem refused: errno {-result})."),
            _ => BerthException.Conflict("FILE_OPERATION_FAILED", $"{path}: the filesystem refused (errno {-result})."),
        };
    }
}

/// <summary>A descriptor closed on dispose.</summary>
internal readonly struct Descriptor(int fd) : IDisposable
{
    public int Fd { get; } = fd;

    public void Dispose() => Native.Close(Fd);
}
