using System.Security.Cryptography;
using Berth.Core.Servers;
using Berth.Core.Ssh;

namespace Berth.Core.Tests.Ssh;

/// <summary>The entry's user-name grammar and the keys it keeps in the data root.</summary>
public sealed class SshEntryTests
{
    public static TheoryData<string?, long?> Names => new()
    {
        { "server1", 1 },
        { "server42", 42 },
        { "server9223372036854775807", long.MaxValue },
        { "server0", null },
        { "server01", null },
        { "server", null },
        { "serverABC", null },
        { "server1;id", null },
        { "server1 ", null },
        { " server1", null },
        { "server1\n", null },
        { "Server1", null },
        { "server-1", null },
        { "server+1", null },
        { "server١", null },
        { "server9223372036854775808", null },
        { "root", null },
        { "", null },
        { null, null },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void TheUserName_SelectsAServer_OnlyByTheExactGrammar(string? user, long? expected) =>
        Assert.Equal(expected, SshEntryService.ParseUser(user));

    [Fact]
    public void RandomNames_AreAcceptedOnlyWhenTheyAreServerAndAPositiveIdWithoutLeadingZeros()
    {
        var random = new Random(1701);
        const string alphabet = "server0123456789ABC;-_ \n";
        for (var i = 0; i < 20_000; i++)
        {
            var name = new string([.. Enumerable.Range(0, random.Next(0, 14)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var parsed = SshEntryService.ParseUser(name);
            var valid = name.StartsWith("server", StringComparison.Ordinal) && name.Length > 6 && name[6] != '0'
                && name[6..].All(char.IsAsciiDigit) && long.TryParse(name[6..], out _);
            Assert.True(valid == parsed.HasValue, name);
            if (parsed is { } id)
            {
                Assert.Equal("server" + id, name);
            }
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void HostKeys_SurviveANewProcess_AndServerMaterialIsKeptOnceMade()
    {
        using var root = new TempDirectory();
        var options = new ServersOptions { DataRoot = root.Path };
        using var credentials = new EngineCredentials(options, TimeProvider.System);
        var first = new SshEntryKeys(options, credentials);
        var fingerprints = first.Fingerprints;
        first.EnsureServerMaterial(7);
        var serverKey = first.ServerHostKey(7);

        using var again = new EngineCredentials(options, TimeProvider.System);
        var second = new SshEntryKeys(options, again);
        second.EnsureServerMaterial(7);

        Assert.Equal(fingerprints, second.Fingerprints);
        Assert.Equal(serverKey, second.ServerHostKey(7));
        Assert.Null(second.ServerHostKey(8));
        Assert.Equal(2, fingerprints.Count);
        Assert.All(Directory.GetFiles(Path.Combine(root.Path, "_DATA", "ssh")), f =>
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        var authorized = File.ReadAllText(Path.Combine(credentials.ServerFolder(7), SshEntryKeys.ServerAuthorizedKeysFile));
        Assert.StartsWith("restrict,pty,port-forwarding ecdsa-sha2-nistp256 ", authorized, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(credentials.ServerFolder(7), SshEntryKeys.ServerHostKeyFile)));
    }

    [Fact]
    public void TheFingerprints_AreThoseOfTheKeysOnDisk()
    {
        using var root = new TempDirectory();
        var options = new ServersOptions { DataRoot = root.Path };
        using var credentials = new EngineCredentials(options, TimeProvider.System);
        var keys = new SshEntryKeys(options, credentials);
        _ = keys.Fingerprints;

        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(File.ReadAllText(Path.Combine(root.Path, "_DATA", "ssh", "ssh_host_ecdsa_key")));
        var line = keys.HostKeyLines[0].Split(' ');
        Assert.Equal("ecdsa-sha2-nistp256", line[0]);
        Assert.Equal("ECDSA " + SshPublicKey.FingerprintOf(Convert.FromBase64String(line[1])), keys.Fingerprints[0]);
        // The blob's point is the key's public point (RFC 5656: the last 64 bytes after 0x04).
        var point = ecdsa.ExportParameters(false).Q;
        Assert.Equal([.. point.X!, .. point.Y!], Convert.FromBase64String(line[1])[^64..]);
    }
}
