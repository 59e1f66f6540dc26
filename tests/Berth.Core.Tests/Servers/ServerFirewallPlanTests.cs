using System.Net;
using System.Text.Json;
using Berth.Core.Servers;
using Berth.Core.Servers.Network;

namespace Berth.Core.Tests.Servers;

public sealed class ServerFirewallPlanTests
{
    private static ServerFirewallSettings Settings(bool blockPrivate = true, string parent = "DOCKER-USER") =>
        new("BERTH", "br-0123456789ab", parent, blockPrivate, [new FirewallService(IPAddress.Parse("10.0.0.2"), "udp", 53), new FirewallService(IPAddress.IPv6Loopback, "udp", 53)], ["10.5.0.0/16"]);

    [Fact]
    public void Build_InputChain_RepliesPass_EverythingElseToTheHostRejected()
    {
        var input = ServerFirewallPlan.Build(Settings())[0];

        Assert.Equal("BERTH-I-br-0123456789ab", input.Name);
        Assert.Equal("INPUT", input.Parent);
        Assert.Equal(["-i", "br-0123456789ab", "-j", "BERTH-I-br-0123456789ab"], input.Jump);
        Assert.Equal(
            [
                "-N BERTH-I-br-0123456789ab",
                "-A BERTH-I-br-0123456789ab -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
                "-A BERTH-I-br-0123456789ab -d 10.0.0.2/32 -p udp -m udp --dport 53 -j RETURN",
                "-A BERTH-I-br-0123456789ab -j REJECT --reject-with icmp-port-unreachable",
            ],
            input.Listing);
    }

    [Fact]
    public void Build_ForwardChain_PrivateRangesRejectedAfterTheAllowedOnes()
    {
        var forward = ServerFirewallPlan.Build(Settings())[1];

        Assert.Equal("DOCKER-USER", forward.Parent);
        Assert.Equal(
            [
                "-N BERTH-O-br-0123456789ab",
                "-A BERTH-O-br-0123456789ab -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
                "-A BERTH-O-br-0123456789ab -o br-0123456789ab -j REJECT --reject-with icmp-port-unreachable",
                "-A BERTH-O-br-0123456789ab -d 10.0.0.2/32 -p udp -m udp --dport 53 -j RETURN",
                "-A BERTH-O-br-0123456789ab -d 10.5.0.0/16 -j RETURN",
                "-A BERTH-O-br-0123456789ab -d 10.0.0.0/8 -j REJECT --reject-with icmp-port-unreachable",
                "-A BERTH-O-br-0123456789ab -d 172.16.0.0/12 -j REJECT --reject-with icmp-port-unreachable",
                "-A BERTH-O-br-0123456789ab -d 192.168.0.0/16 -j REJECT --reject-with icmp-port-unreachable",
                "-A BERTH-O-br-0123456789ab -d 169.254.0.0/16 -j REJECT --reject-with icmp-port-unreachable",
            ],
            forward.Listing);
    }

    [Fact]
    public void Build_PrivateEgressAllowed_OnlyServerToServerRejectedOnTheWayOut()
    {
        var forward = ServerFirewallPlan.Build(Settings(blockPrivate: false, parent: "FORWARD"))[1];

        Assert.Equal("FORWARD", forward.Parent);
        Assert.DoesNotContain(forward.Listing, l => l.Contains("10.0.0.0/8", StringComparison.Ordinal) || l.Contains("10.5.0.0/16", StringComparison.Ordinal));
        Assert.Contains("-A BERTH-O-br-0123456789ab -o br-0123456789ab -j REJECT --reject-with icmp-port-unreachable", forward.Listing);
    }

    [Theory]
    [InlineData("br-x; rm -rf /")]
    [InlineData("-j ACCEPT")]
    [InlineData("")]
    [InlineData("br-0123456789abcdef0123456789")]
    public void Build_NameThatIsNotPlain_Refused(string bridge) =>
        Assert.Throws<ArgumentException>(() => ServerFirewallPlan.Build(Settings() with { Bridge = bridge }));

    [Theory]
    [InlineData("10.1.2.3", "10.1.2.3/32")]
    [InlineData(" 10.1.0.0/16 ", "10.1.0.0/16")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    public void NormaliseRange_Accepted(string range, string expected) => Assert.Equal(expected, ServerFirewallPlan.NormaliseRange(range));

    [Theory]
    [InlineData("10.1.2.3/8")]
    [InlineData("fd00::/8")]
    [InlineData("example.com")]
    public void NormaliseRange_Refused(string range) => Assert.Throws<ArgumentException>(() => ServerFirewallPlan.NormaliseRange(range));

    [Theory]
    [InlineData("BERTH-I-br-0123456789ab", "br-0123456789ab")]
    [InlineData("BERTH-O-br-0123456789ab", "br-0123456789ab")]
    [InlineData("BERTHX-I-br-0123456789ab", null)]
    [InlineData("DOCKER-USER", null)]
    public void BridgeOfChain(string chain, string? bridge) => Assert.Equal(bridge, ServerFirewallPlan.BridgeOfChain("BERTH", chain));

    [Fact]
    public void RegistryMirror_EngineConfig_ListsTheMirror()
    {
        using var json = JsonDocument.Parse(RegistryMirror.EngineConfig("https://mirror.example:5000/")!);

        Assert.Equal("https://mirror.example:5000", json.RootElement.GetProperty("registry-mirrors")[0].GetString());
        Assert.Null(RegistryMirror.EngineConfig(" "));
    }

    [Theory]
    [InlineData("ftp://mirror.example")]
    [InlineData("https://user:secret@mirror.example")]
    [InlineData("mirror.example")]
    public void RegistryMirror_NotAnHttpUrl_Refused(string value) => Assert.Throws<ArgumentException>(() => RegistryMirror.Parse(value));

    [Fact]
    public void RegistryMirror_WriteEngineConfig_WritesThenRemovesTheFile()
    {
        var folder = Directory.CreateTempSubdirectory("berth-mirror").FullName;
        try
        {
            RegistryMirror.WriteEngineConfig(folder, "http://10.0.0.9:5000");
            Assert.True(File.Exists(Path.Combine(folder, RegistryMirror.ConfigFile)));

            RegistryMirror.WriteEngineConfig(folder, null);
            Assert.False(File.Exists(Path.Combine(folder, RegistryMirror.ConfigFile)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
