using System.Globalization;
using System.Security.Cryptography;
using Berth.Core.Errors;

namespace Berth.Core.Files;

/// <summary>
/// A file being written: an O_TMPFILE in the target's folder (no name, so nothing partial is ever
/// visible and a crash leaves nothing behind), given a hidden temporary name and renamed over the
/// target only when complete. The rename replaces the name, never writes into an existing inode:
/// a hard link or a link at the target is replaced, its other names and its target are untouched.
/// Where O_TMPFILE is not supported, a hidden temporary name from the start, removed on failure.
/// </summary>
public sealed class Upload : IDisposable
{
    private readonly Descriptor _parent;
    private readonly AppsPath _path;
    private readonly int _fd;
    private string? _tempName;
    private bool _committed;

    private Upload(Descriptor parent, AppsPath path, int fd, string? tempName)
    {
        _parent = parent;
        _path = path;
        _fd = fd;
        _tempName = tempName;
    }

    public long Written { get; private set; }

    /// <summary>The file as committed (from its own descriptor: the folder may have been renamed meanwhile).</summary>
    public FileEntry? Entry { get; private set; }

    public AppsPath Path => _path;

    internal static Upload Start(Descriptor parent, AppsPath path)
    {
        var fd = Native.OpenAt(parent.Fd, ".", Native.O_TMPFILE | Native.O_WRONLY, 0x1A4);
        string? temp = null;
        if (fd == -Native.EOPNOTSUPP || fd == -Native.EINVAL || fd == -Native.EISDIR)
        {
            temp = TempName();
            fd = Native.OpenAt(parent.Fd, temp, Native.O_WRONLY | Native.O_CREAT | Native.O_EXCL | Native.O_NOFOLLOW, 0x1A4);
        }

        ServerFolder.Check(fd, path);
        return new Upload(parent, path, fd, temp);
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        ServerFolder.Check(Native.WriteAll(_fd, data), _path);
        Written += data.Length;
    }

    /// <summary>Makes the file visible under its name, replacing a file (never a folder) that was there.</summary>
    public void Commit()
    {
        ServerFolder.Check(Native.Fchmod(_fd, 0x1A4), _path);
        ServerFolder.Check(Native.Fsync(_fd), _path);
        if (_tempName is null)
        {
            var name = TempName();
            var linked = Native.LinkDescriptor(_fd, _parent.Fd, name);
            ServerFolder.Check(linked, _path);
            _tempName = name;
        }

        var renamed = Native.RenameAt(_parent.Fd, _tempName, _parent.Fd, _path.Name, 0);
        if (renamed is var r && (r == -Native.EISDIR || r == -Native.ENOTEMPTY))
        {
            throw BerthException.Conflict("FILE_IS_FOLDER", $"{_path} is a folder.");
        }

        ServerFolder.Check(renamed, _path);
        _committed = true;
        if (Native.Stat(_fd, "", out var stat) == 0)
        {
            Entry = FileEntry.From(_path.Name, stat, null);
        }
    }

    public void Dispose()
    {
        Native.Close(_fd);
        if (!_committed && _tempName is not null)
        {
            Native.UnlinkAt(_parent.Fd, _tempName, directory: false);
        }

        _parent.Dispose();
    }

    private static string TempName() =>
        ".berth-upload-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)).ToString(CultureInfo.InvariantCulture);
}
