using Berth.Core.Servers;

namespace Berth.Core.Tests.Servers;

/// <summary>The tenant is root in the server: links it plants in /apps or the engine storage are never followed.</summary>
public sealed class ServerDirectoriesTests : IDisposable
{
    private readonly TempDirectory _root = new("berth-servers");
    private readonly TempDirectory _outside = new("berth-host-files");
    private readonly ServerDirectories _directories;

    public ServerDirectoriesTests()
    {
        _directories = new ServerDirectories(_root.Combine("SERVERS"));
    }

    public void Dispose()
    {
        _root.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public void Create_MakesAppsAndDockerFolders()
    {
        _directories.Create(7);

        Assert.True(Directory.Exists(_root.Combine("SERVERS", "7", "apps")));
        Assert.True(Directory.Exists(_root.Combine("SERVERS", "7", "docker")));
    }

    [Fact]
    public void Archive_DropsEngineStorage_KeepsApps_AndRenames()
    {
        _directories.Create(3);
        File.WriteAllText(Path.Combine(_directories.Apps(3), "index.html"), "hello");
        Directory.CreateDirectory(Path.Combine(_directories.Docker(3), "overlay2", "abc"));
        File.WriteAllText(Path.Combine(_directories.Docker(3), "overlay2", "abc", "layer"), "data");

        var archive = _directories.Archive(3, DateTimeOffset.FromUnixTimeSeconds(1733666400));

        Assert.Equal(_root.Combine("SERVERS", "3-deleted-1733666400"), archive);
        Assert.False(Directory.Exists(_directories.ServerFolder(3)));
        Assert.Equal("hello", File.ReadAllText(Path.Combine(archive!, "apps", "index.html")));
        Assert.False(Directory.Exists(Path.Combine(archive!, "docker")));
    }

    [Fact]
    public void Archive_Twice_InTheSameSecond_DoesNotCollide()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1733666400);
        _directories.Create(4);
        var first = _directories.Archive(4, at);
        _directories.Create(4);
        var second = _directories.Archive(4, at);

        Assert.NotEqual(first, second);
        Assert.True(Directory.Exists(first) && Directory.Exists(second));
    }

    [Fact]
    public void Archive_WithLinksToHostFilesInsideDockerStorage_LeavesTheTargetsUntouched()
    {
        var hostFile = Path.Combine(_outside.Path, "passwd");
        File.WriteAllText(hostFile, "root:x:0:0");
        var hostFolder = Directory.CreateDirectory(Path.Combine(_outside.Path, "etc")).FullName;
        File.WriteAllText(Path.Combine(hostFolder, "shadow"), "secret");
        _directories.Create(5);
        File.CreateSymbolicLink(Path.Combine(_directories.Docker(5), "to-file"), hostFile);
        Directory.CreateSymbolicLink(Path.Combine(_directories.Docker(5), "to-folder"), hostFolder);
        Directory.CreateSymbolicLink(Path.Combine(_directories.Apps(5), "to-folder"), hostFolder);

        var archive = _directories.Archive(5, DateTimeOffset.FromUnixTimeSeconds(1));

        Assert.Equal("root:x:0:0", File.ReadAllText(hostFile));
        Assert.Equal("secret", File.ReadAllText(Path.Combine(hostFolder, "shadow")));
        // The link in /apps is archived as a link, not as a copy of its target.
        Assert.NotNull(new DirectoryInfo(Path.Combine(archive!, "apps", "to-folder")).LinkTarget);
    }

    [Fact]
    public void MeasureBytes_CountsFiles_NotLinkTargets()
    {
        var big = Path.Combine(_outside.Path, "big.bin");
        File.WriteAllBytes(big, new byte[1_000_000]);
        _directories.Create(6);
        File.WriteAllBytes(Path.Combine(_directories.Apps(6), "small.bin"), new byte[1234]);
        Directory.CreateDirectory(Path.Combine(_directories.Apps(6), "sub"));
        File.WriteAllBytes(Path.Combine(_directories.Apps(6), "sub", "more.bin"), new byte[66]);
        File.CreateSymbolicLink(Path.Combine(_directories.Apps(6), "big-link"), big);
        Directory.CreateSymbolicLink(Path.Combine(_directories.Apps(6), "outside"), _outside.Path);

        Assert.Equal(1300, ServerDirectories.MeasureBytes(_directories.Apps(6)));
    }

    [Fact]
    public void DeleteWithoutFollowingLinks_OnALinkItself_RemovesOnlyTheLink()
    {
        File.WriteAllText(Path.Combine(_outside.Path, "keep"), "kept");
        var link = _root.Combine("link-to-outside");
        Directory.CreateSymbolicLink(link, _outside.Path);

        ServerDirectories.DeleteWithoutFollowingLinks(link);

        Assert.False(Path.Exists(link));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(_outside.Path, "keep")));
    }
}
