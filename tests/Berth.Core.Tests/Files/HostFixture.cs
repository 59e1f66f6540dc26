using System.Runtime.InteropServices;

namespace Berth.Core.Tests.Files;

/// <summary>
/// A data root as the host has it: <c>SERVERS/1/apps</c> planted with the links, FIFO and hard link a
/// hostile tenant would make, and canary files beside it that nothing may read, list, change or delete.
/// </summary>
internal sealed partial class HostFixture : IDisposable
{
    private readonly TempDirectory _temp = new("berth-files");

    public HostFixture()
    {
        Apps = _temp.Combine("SERVERS", "1", "apps");
        Directory.CreateDirectory(Apps);
        Canary = _temp.Combine("canary.txt");
        File.WriteAllText(Canary, "host secret");
        HostFolder = _temp.Combine("host");
        Directory.CreateDirectory(HostFolder);
        File.WriteAllText(Path.Combine(HostFolder, "inside.txt"), "host folder file");
        // Another server's files: as much "outside" as the host's.
        Directory.CreateDirectory(_temp.Combine("SERVERS", "2", "apps"));
        File.WriteAllText(_temp.Combine("SERVERS", "2", "apps", "other.txt"), "other tenant");

        Directory.CreateDirectory(Path.Combine(Apps, "sub"));
        File.WriteAllText(Path.Combine(Apps, "sub", "file.txt"), "tenant file");
        File.CreateSymbolicLink(Path.Combine(Apps, "evil"), "/");
        File.CreateSymbolicLink(Path.Combine(Apps, "shadow"), "/etc/shadow");
        File.CreateSymbolicLink(Path.Combine(Apps, "canary"), Canary);
        File.CreateSymbolicLink(Path.Combine(Apps, "up"), "../../..");
        File.CreateSymbolicLink(Path.Combine(Apps, "other"), "../../2/apps");
        File.CreateSymbolicLink(Path.Combine(Apps, "rel"), "sub");
        Assert.Equal(0, MkFifo(Path.Combine(Apps, "fifo"), 0x1A4));
        Assert.Equal(0, Link(Path.Combine(Apps, "sub", "file.txt"), Path.Combine(Apps, "hard")));
        Snapshot = TakeSnapshot();
    }

    public string Apps { get; }

    public string Canary { get; }

    public string HostFolder { get; }

    public string Root => _temp.Path;

    /// <summary>Everything outside <c>SERVERS/1/apps</c>: paths, sizes, contents and times.</summary>
    public IReadOnlyList<string> Snapshot { get; }

    public List<string> TakeSnapshot()
    {
        var lines = new List<string>();
        Walk(Root, lines);
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>.NET's recursive enumeration follows links into folders: this walk never does.</summary>
    private void Walk(string folder, List<string> lines)
    {
        foreach (var info in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0 }))
        {
            if (info.FullName == Apps)
            {
                continue;
            }

            if (info.LinkTarget is { } target)
            {
                lines.Add($"{info.FullName} -> {target}");
            }
            else if (info is DirectoryInfo directory)
            {
                lines.Add($"{info.FullName}/ {info.LastWriteTimeUtc:O}");
                Walk(directory.FullName, lines);
            }
            else
            {
                lines.Add($"{info.FullName} {info.LastWriteTimeUtc:O} {File.ReadAllText(info.FullName)}");
            }
        }
    }

    public void Dispose() => _temp.Dispose();

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string from, string to);
}
