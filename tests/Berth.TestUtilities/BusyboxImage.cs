using System.Formats.Tar;
using System.Security.Cryptography;
using Berth.Docker;

namespace Berth.TestUtilities;

/// <summary>
/// A tiny application image made from Debian's busybox-static (no registry): /bin/busybox plus
/// applet links, written as a root filesystem tar and imported.
/// </summary>
public static class BusyboxImage
{
    private const string Binary = "/bin/busybox";
    private static readonly string[] Applets =
    [
        "sh", "echo", "cat", "ls", "sleep", "id", "hostname", "env", "true", "false", "mkdir", "rm", "ps", "head", "tail",
        "dd", "grep", "sed", "wget", "nc", "httpd", "touch", "date", "uname", "mount", "test", "printf", "yes", "wc",
    ];

    /// <summary>Imports the image into <paramref name="images"/> unless it is there; returns its reference.</summary>
    public static async Task<string> EnsureAsync(ImageOperations images, CancellationToken cancellationToken)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: install the busybox-static package (scripts/test.sh does).");
        }

        var bytes = await File.ReadAllBytesAsync(Binary, cancellationToken);
        var tag = Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
        var reference = $"berth-test/busybox:{tag}";
        if (await images.ExistsAsync(reference, cancellationToken))
        {
            return reference;
        }

        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var folder in new[] { "bin/", "tmp/", "etc/", "proc/", "sys/", "dev/" })
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, folder) { Mode = folder == "tmp/" ? (UnixFileMode)0x3FF | UnixFileMode.StickyBit : (UnixFileMode)0x1ED }, cancellationToken);
            }

            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox") { Mode = (UnixFileMode)0x1ED, DataStream = new MemoryStream(bytes) }, cancellationToken);
            foreach (var applet in Applets)
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, $"bin/{applet}") { LinkName = "busybox", Mode = (UnixFileMode)0x1FF }, cancellationToken);
            }

            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "etc/passwd") { Mode = (UnixFileMode)0x1A4, DataStream = new MemoryStream("root:x:0:0:root:/:/bin/sh\n"u8.ToArray()) }, cancellationToken);
        }

        tar.Position = 0;
        await images.ImportRootfsAsync(tar, "berth-test/busybox", tag, ["ENV PATH=/bin", "CMD [\"sh\"]"], cancellationToken);
        return reference;
    }
}
