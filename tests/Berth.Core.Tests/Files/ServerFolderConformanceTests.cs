using System.Text;
using Berth.Core.Errors;
using Berth.Core.Files;

namespace Berth.Core.Tests.Files;

/// <summary>
/// The escape table on a real filesystem: every way out of <c>/apps</c> a tenant can plant is
/// answered with a refusal or with the server's own view, and the host's canaries stay as they were.
/// </summary>
public sealed class ServerFolderConformanceTests : IDisposable
{
    private readonly HostFixture _host = new();
    private readonly ServerFolder _folder;

    public ServerFolderConformanceTests() => _folder = ServerFolder.Open(_host.Apps);

    public void Dispose()
    {
        _folder.Dispose();
        Assert.Equal(_host.Snapshot, _host.TakeSnapshot());
        _host.Dispose();
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        // operation, path, expected code
        { "list", "/evil", "PATH_OUTSIDE_APPS" },
        { "list", "/evil/etc", "PATH_OUTSIDE_APPS" },
        { "list", "/up", "PATH_OUTSIDE_APPS" },
        { "list", "/other", "PATH_OUTSIDE_APPS" },
        { "list", "/..", "PATH_INVALID" },
        { "list", "sub/../..", "PATH_INVALID" },
        { "list", "/fifo", "NOT_A_FOLDER" },
        { "read", "/shadow", "PATH_OUTSIDE_APPS" },
        { "read", "/canary", "PATH_OUTSIDE_APPS" },
        { "read", "/evil/etc/hostname", "PATH_OUTSIDE_APPS" },
        { "read", "/up/canary.txt", "PATH_OUTSIDE_APPS" },
        { "read", "/other/other.txt", "PATH_OUTSIDE_APPS" },
        { "read", "/../canary.txt", "PATH_INVALID" },
        { "read", "/etc/shadow", "FILE_NOT_FOUND" },
        { "read", "/%2e%2e/canary.txt", "FILE_NOT_FOUND" },
        { "read", "/fifo", "NOT_A_FILE" },
        { "read", "/sub", "NOT_A_FILE" },
        { "read", "/sub/a\nb", "PATH_INVALID" },
        { "read", "/sub/a\0b", "PATH_INVALID" },
        { "write", "/evil/tmp/x", "PATH_OUTSIDE_APPS" },
        { "write", "/up/canary.txt", "PATH_OUTSIDE_APPS" },
        { "write", "/sub", "FILE_IS_FOLDER" },
        { "write", "/", "PATH_IS_APPS" },
        { "mkdir", "/evil/new", "PATH_OUTSIDE_APPS" },
        { "mkdir", "/sub", "FILE_EXISTS" },
        { "touch", "/evil", "FILE_EXISTS" },
        { "touch", "/canary", "FILE_EXISTS" },
        { "delete", "/evil/tmp", "PATH_OUTSIDE_APPS" },
        { "delete", "/up/canary.txt", "PATH_OUTSIDE_APPS" },
        { "delete", "/", "PATH_IS_APPS" },
        { "move-out", "/sub/file.txt", "PATH_OUTSIDE_APPS" },
        { "move-in", "/up/canary.txt", "PATH_OUTSIDE_APPS" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void EscapesAreRefused(string operation, string path, string code)
    {
        var error = Assert.Throws<BerthException>(() => Do(operation, path));
        Assert.Equal(code, error.Code);
        Assert.NotEqual(ErrorKind.Unavailable, error.Kind);
    }

    [Fact]
    public void ListingShowsLinksAsLinksAndSpecialFilesAsSpecial()
    {
        var entries = _folder.List(AppsPath.Parse("/")).ToDictionary(e => e.Name);
        Assert.Equal(FileKind.Link, entries["evil"].Kind);
        Assert.Equal("/", entries["evil"].LinkTarget);
        Assert.Equal(_host.Canary, entries["canary"].LinkTarget);
        Assert.Equal(FileKind.Special, entries["fifo"].Kind);
        Assert.Equal(FileKind.Folder, entries["sub"].Kind);
        Assert.Equal(FileKind.File, entries["hard"].Kind);
        Assert.Equal("0644", entries["hard"].Mode);
    }

    [Fact]
    public void RelativeLinksInsideAppsGiveTheServersOwnView()
    {
        Assert.Equal(["file.txt"], _folder.List(AppsPath.Parse("/rel")).Select(e => e.Name));
        var (stream, _) = _folder.OpenRead(AppsPath.Parse("/rel/file.txt"));
        using (stream)
        {
            Assert.Equal("tenant file", new StreamReader(stream).ReadToEnd());
        }
    }

    [Fact]
    public void WritingOverALinkOrAHardLinkReplacesTheNameNotWhatItPointsTo()
    {
        Write("/canary", "replaced");
        Write("/shadow", "replaced");
        Write("/hard", "new content");
        Assert.Equal(FileKind.File, _folder.Stat(AppsPath.Parse("/canary")).Kind);
        Assert.Equal("host secret", File.ReadAllText(_host.Canary));
        Assert.Equal("tenant file", File.ReadAllText(Path.Combine(_host.Apps, "sub", "file.txt")));
        Assert.Equal("new content", File.ReadAllText(Path.Combine(_host.Apps, "hard")));
    }

    [Fact]
    public void DeletingLinksRemovesTheLinksOnly()
    {
        foreach (var link in new[] { "/evil", "/up", "/canary", "/other", "/fifo" })
        {
            _folder.Delete(AppsPath.Parse(link));
        }

        // A folder holding a link to the host: the link goes, the host's folder stays.
        Directory.CreateDirectory(Path.Combine(_host.Apps, "tree", "deeper"));
        File.CreateSymbolicLink(Path.Combine(_host.Apps, "tree", "deeper", "host"), _host.HostFolder);
        _folder.Delete(AppsPath.Parse("/tree"));
        Assert.False(Directory.Exists(Path.Combine(_host.Apps, "tree")));
        Assert.True(File.Exists(Path.Combine(_host.HostFolder, "inside.txt")));
    }

    [Fact]
    public void AnUploadKeepsWritingIntoTheFolderItStartedInWhenThatFolderIsSwappedForALink()
    {
        Directory.CreateDirectory(Path.Combine(_host.Apps, "target"));
        using (var upload = _folder.BeginUpload(AppsPath.Parse("/target/file.bin")))
        {
            upload.Write("first half "u8);
            // The tenant swaps the folder for a link to the host between the check and the use.
            Directory.Move(Path.Combine(_host.Apps, "target"), Path.Combine(_host.Apps, "moved"));
            File.CreateSymbolicLink(Path.Combine(_host.Apps, "target"), _host.HostFolder);
            upload.Write("second half"u8);
            upload.Commit();
        }

        Assert.Equal("first half second half", File.ReadAllText(Path.Combine(_host.Apps, "moved", "file.bin")));
        Assert.False(File.Exists(Path.Combine(_host.HostFolder, "file.bin")));
    }

    [Fact]
    public void AnUploadNotCommittedLeavesNothing()
    {
        using (var upload = _folder.BeginUpload(AppsPath.Parse("/sub/partial.bin")))
        {
            upload.Write(new byte[100_000]);
        }

        Assert.Equal(["file.txt"], Directory.GetFileSystemEntries(Path.Combine(_host.Apps, "sub")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AFolderIsArchivedWithLinksAsLinksAndWithoutSpecialFiles()
    {
        using var output = new MemoryStream();
        await FolderArchive.WriteAsync(_folder, AppsPath.Parse("/"), output, CancellationToken.None);
        output.Position = 0;
        using var reader = new System.Formats.Tar.TarReader(output);
        var names = new Dictionary<string, System.Formats.Tar.TarEntry>();
        while (reader.GetNextEntry() is { } entry)
        {
            names[entry.Name] = entry;
        }

        Assert.Equal("/", names["apps/evil"].LinkName);
        Assert.Equal(System.Formats.Tar.TarEntryType.SymbolicLink, names["apps/canary"].EntryType);
        Assert.Equal(11, names["apps/sub/file.txt"].Length);
        Assert.False(names.ContainsKey("apps/fifo"));
        Assert.DoesNotContain(names.Keys, n => n.Contains("canary.txt", StringComparison.Ordinal) || n.Contains("inside.txt", StringComparison.Ordinal));
    }

    private void Write(string path, string content)
    {
        using var upload = _folder.BeginUpload(AppsPath.Parse(path));
        upload.Write(Encoding.UTF8.GetBytes(content));
        upload.Commit();
    }

    private void Do(string operation, string path)
    {
        var p = AppsPath.Parse(path);
        switch (operation)
        {
            case "list":
                _folder.List(p);
                break;
            case "read":
                _folder.OpenRead(p).Stream.Dispose();
                break;
            case "write":
                Write(path, "x");
                break;
            case "mkdir":
                _folder.CreateFolder(p);
                break;
            case "touch":
                _folder.CreateFile(p);
                break;
            case "delete":
                _folder.Delete(p);
                break;
            case "move-out":
                _folder.Move(p, AppsPath.Parse("/evil/tmp/stolen"));
                break;
            case "move-in":
                _folder.Move(p, AppsPath.Parse("/stolen"));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation));
        }
    }
}
