using Berth.Core.Servers.Image;

namespace Berth.Docker.Tests;

public sealed class VirtualServerImageDefinitionTests
{
    [Fact]
    public void Tag_IsTwelveHexDigitsOfTheDefinition_AndStable()
    {
        Assert.Matches("^[0-9a-f]{12}$", VirtualServerImage.Tag);
        Assert.Equal($"{VirtualServerImage.Repository}:{VirtualServerImage.Tag}", VirtualServerImage.Reference);
        Assert.Equal(VirtualServerImage.Tag, VirtualServerImage.Tag);
    }

    [Fact]
    public void Entrypoint_RemountsCgroupsAndStartsTheEngineWithMutualTls()
    {
        var script = VirtualServerImage.Entrypoint;

        Assert.StartsWith("#!/bin/sh", script, StringComparison.Ordinal);
        Assert.Contains("mount -o remount,bind,rw", script, StringComparison.Ordinal);
        Assert.Contains("--tlsverify", script, StringComparison.Ordinal);
        Assert.Contains($"tcp://0.0.0.0:{VirtualServerImage.EnginePort}", script, StringComparison.Ordinal);
        Assert.Contains($"tls={VirtualServerImage.TlsDirectory}", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Entrypoint_RemovesStalePidFilesAndSockets_BeforeStartingTheEngine()
    {
        var script = VirtualServerImage.Entrypoint;
        var engine = script.IndexOf("dockerd \\", StringComparison.Ordinal);

        Assert.True(engine > 0);
        foreach (var stale in (string[])["rm -rf /run/docker /run/containerd", "/run/docker.pid", "/run/docker.sock", "/run/sshd.pid", "-name '*.pid'"])
        {
            var at = script.IndexOf(stale, StringComparison.Ordinal);
            Assert.True(at > 0 && at < engine, $"'{stale}' is not removed before dockerd starts");
        }
    }

    [Fact]
    public void Compose_ComesFromTrixie_AsTheDockerCliPlugin()
    {
        Assert.Equal("bookworm", VirtualServerImage.Suite);
        Assert.Equal("trixie", VirtualServerImage.NewerSuite);
        Assert.Equal(["docker-compose"], VirtualServerImage.NewerPackages);
        Assert.Equal("/usr/libexec/docker/cli-plugins/docker-compose", VirtualServerImage.ComposePluginPath);
    }

    [Fact]
    public void NewerSuiteSource_IsSignedByTheArchiveKeyring_OnTheSameMirror()
    {
        var source = VirtualServerImageBuilder.NewerSuiteSource(new Uri("http://deb.debian.org/debian"));

        Assert.Equal(
            "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
            source);
        Assert.DoesNotContain("trusted", source, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("ftp://deb.debian.org/debian")]
    [InlineData("http://user:secret@deb.debian.org/debian")]
    [InlineData("http://deb.debian.org/debian?x=1")]
    [InlineData("http://deb.debian.org/debian#Trusted: yes")]
    [InlineData("file:///srv/mirror")]
    public void NewerSuiteSource_RefusesAnythingButAPlainHttpUrl(string mirror)
    {
        Assert.Throws<ArgumentException>(() => VirtualServerImageBuilder.NewerSuiteSource(new Uri(mirror)));
    }

    [Fact]
    public void FromDeb822_SecurityStanzaFirst_PicksTheMainArchive()
    {
        const string Sources = """
            Types: deb
            URIs: http://deb.debian.org/debian-security
            Suites: bookworm-security
            Components: main

            Types: deb deb-src
            # a comment
            URIs: http://mirror.example.org/debian
            Suites: bookworm bookworm-updates
            Components: main contrib
            """;

        Assert.Equal("http://mirror.example.org/debian", AptMirror.FromDeb822(Sources, "bookworm"));
        Assert.Null(AptMirror.FromDeb822(Sources, "trixie"));
    }

    [Fact]
    public void FromOneLine_OptionsAndComments_Understood()
    {
        const string List = """
            # deb http://old.example.org/debian bookworm main
            deb [arch=amd64 signed-by=/x.gpg] http://ftp.example.org/debian bookworm main non-free
            deb http://security.debian.org/debian-security bookworm-security main
            """;

        Assert.Equal("http://ftp.example.org/debian", AptMirror.FromOneLine(List, "bookworm"));
    }

    [Fact]
    public void Detect_NoSources_FallsBackToDebian()
    {
        using var empty = new TempDirectory();

        Assert.Equal(AptMirror.Fallback, AptMirror.Detect("bookworm", empty.Path));
    }
}
