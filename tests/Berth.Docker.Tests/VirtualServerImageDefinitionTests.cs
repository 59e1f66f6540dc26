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
