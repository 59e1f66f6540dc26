using System.Formats.Tar;
using Berth.Core.Errors;

namespace Berth.Core.Files;

/// <summary>
/// A folder written as a tar stream (PAX), entry by entry as it is read: nothing is staged on disk
/// or in memory. Walked by descriptors like everything else: links are stored as links, FIFOs,
/// sockets and devices are left out, folders are entered with O_NOFOLLOW.
/// </summary>
internal static class FolderArchive
{
    public static async Task WriteAsync(ServerFolder folder, AppsPath path, Stream output, CancellationToken cancellationToken)
    {
        using var root = folder.Resolve(path, Native.O_RDONLY | Native.O_DIRECTORY);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await WriteFolderAsync(writer, root.Fd, path, path.IsRoot ? "apps" : path.Name, 0, cancellationToken);
    }

    private static async Task WriteFolderAsync(TarWriter writer, int dirFd, AppsPath path, string prefix, int depth, CancellationToken cancellationToken)
    {
        if (depth >= ServerFolder.MaxDepth)
        {
            return;
        }

        Native.Stat(dirFd, "", out var self);
        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, prefix + "/") { ModificationTime = self.Modified, Mode = (UnixFileMode)(self.Mode & 0xFFF) }, cancellationToken);
        var names = new List<string>();
        ServerFolder.Check(Native.ReadNames(dirFd, names), path);
        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Native.Stat(dirFd, name, out var stat) != 0)
            {
                continue;
            }

            var entryName = prefix + "/" + name;
            if (stat.IsDirectory)
            {
                var child = Native.OpenAt(dirFd, name, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_NOFOLLOW);
                if (child < 0)
                {
                    continue;
                }

                try
                {
                    await WriteFolderAsync(writer, child, path, entryName, depth + 1, cancellationToken);
                }
                finally
                {
                    Native.Close(child);
                }
            }
            else if (stat.IsLink)
            {
                if (Native.ReadLink(dirFd, name) is { } target)
                {
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, entryName) { LinkName = target, ModificationTime = stat.Modified }, cancellationToken);
                }
            }
            else if (stat.IsRegular)
            {
                var pathFd = Native.OpenAt(dirFd, name, Native.O_PATH | Native.O_NOFOLLOW);
                if (pathFd < 0)
                {
                    continue;
                }

                FileStream stream;
                StatInfo opened;
                try
                {
                    (stream, opened) = ServerFolder.OpenRegular(pathFd, path);
                }
                catch (BerthException)
                {
                    continue; // Swapped for something else in between: left out.
                }
                finally
                {
                    Native.Close(pathFd);
                }

                await using (stream)
                {
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, entryName)
                    {
                        DataStream = stream,
                        ModificationTime = opened.Modified,
                        Mode = (UnixFileMode)(opened.Mode & 0xFFF),
                    }, cancellationToken);
                }
            }
        }
    }
}
