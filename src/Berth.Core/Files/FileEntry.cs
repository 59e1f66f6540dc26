using System.Globalization;

namespace Berth.Core.Files;

/// <summary>The kinds of entries a listing shows; <see cref="Special"/> covers FIFOs, sockets and devices (never opened).</summary>
public enum FileKind
{
    Folder,
    File,
    Link,
    Special,
}

/// <summary>One entry of a folder as the kernel reports it, without following a link.</summary>
public sealed record FileEntry(string Name, FileKind Kind, long Size, DateTimeOffset Modified, string Mode, string? LinkTarget)
{
    internal static FileEntry From(string name, StatInfo stat, string? linkTarget) => new(
        name,
        stat.IsDirectory ? FileKind.Folder : stat.IsRegular ? FileKind.File : stat.IsLink ? FileKind.Link : FileKind.Special,
        stat.IsRegular || stat.IsLink ? stat.Size : 0,
        stat.Modified,
        "0" + Convert.ToString(stat.Mode & 0xFFF, 8).PadLeft(3, '0'),
        linkTarget);
}

/// <summary>A page of a folder's entries: folders first, then by name (ordinal).</summary>
public sealed record FolderPage(string Path, int Total, int Offset, IReadOnlyList<FileEntry> Entries);

/// <summary>A text file and the version it had when read (to refuse saving over a newer one).</summary>
public sealed record TextFile(string Path, string Content, string Version, long Size);

/// <summary>A regular file open for reading.</summary>
public sealed record FileDownload(string Path, string Name, Stream Content, long Length, DateTimeOffset Modified, string Version);

internal static class FileVersion
{
    /// <summary>Changes whenever the content may have: a new inode (saved by rename), a new size, mtime or ctime.</summary>
    public static string Of(StatInfo stat) => string.Create(CultureInfo.InvariantCulture,
        $"{stat.Inode:x}-{stat.Size:x}-{stat.ModifiedSeconds:x}.{stat.ModifiedNanoseconds:x}-{stat.ChangedSeconds:x}.{stat.ChangedNanoseconds:x}");
}
