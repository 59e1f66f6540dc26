using Berth.Core.Monitoring;
using Docker.DotNet.Models;

namespace Berth.Core.Tests.Monitoring;

/// <summary>Rows look like `docker ps --format '{{json .}}'` output, as the original platform stored it.</summary>
public sealed class DockerPsFormatTests
{
    private static readonly DateTimeOffset Now = new(2025, 12, 8, 12, 30, 0, TimeSpan.Zero);

    [Fact]
    public void ToRow_FormatsEveryColumnLikeDockerPs()
    {
        var container = new ContainerListResponse
        {
            ID = "abc123def4567890abc123def4567890abc123def4567890abc123def4567890",
            Names = ["/hosting-users-dind-1"],
            Image = "hosting-dind-ubuntu",
            Command = "dockerd-entrypoint.sh --host tcp://0.0.0.0:2376",
            Created = new DateTime(2025, 12, 8, 10, 30, 0, DateTimeKind.Utc),
            Labels = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" },
            Mounts = [new MountPoint { Name = "", Source = "/srv/SERVERS/1/apps" }, new MountPoint { Name = "data", Source = "/var/lib/x" }],
            NetworkSettings = new NetworkSettingsSummary { Networks = new Dictionary<string, EndpointSettings> { ["servers"] = new(), ["bridge"] = new() } },
            Ports = [new PortSummary { IP = "127.0.0.1", PublicPort = 30000, PrivatePort = 22, Type = "tcp" }, new PortSummary { PrivatePort = 2376, Type = "tcp" }],
            State = "running",
            Status = "Up 2 hours",
        };

        var row = DockerPsFormat.ToRow(container, 0, Now, "2025-12-08 12:30:00");

        Assert.Equal("abc123def456", row.DockerId);
        Assert.Equal("hosting-users-dind-1", row.Names);
        Assert.Equal("\"dockerd-entrypoint.…\"", row.Command);
        Assert.Equal("2025-12-08 10:30:00 +0000 UTC", row.CreatedAt);
        Assert.Equal("a=1,b=2", row.Labels);
        Assert.Equal("/srv/SERVERS/1…,data", row.Mounts);
        Assert.Equal("bridge,servers", row.Networks);
        Assert.Equal("127.0.0.1:30000->22/tcp, 2376/tcp", row.Ports);
        Assert.Equal("2 hours ago", row.RunningFor);
        Assert.Equal("0B", row.Size);
        Assert.Equal(("running", "Up 2 hours", "2025-12-08 12:30:00"), (row.State, row.Status, row.UpdatedAt));
    }

    [Theory]
    [InlineData(0.4, "Less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(59, "59 seconds")]
    [InlineData(60, "About a minute")]
    [InlineData(119, "About a minute")]
    [InlineData(120, "2 minutes")]
    [InlineData(3599, "59 minutes")]
    [InlineData(3600, "About an hour")]
    [InlineData(5400, "2 hours")]
    [InlineData(47 * 3600, "47 hours")]
    [InlineData(48 * 3600, "2 days")]
    [InlineData(14 * 24 * 3600, "2 weeks")]
    [InlineData(60 * 24 * 3600, "2 months")]
    [InlineData(730 * 24 * 3600, "2 years")]
    public void HumanDuration_MatchesDockerWording(double seconds, string expected)
    {
        Assert.Equal(expected, DockerPsFormat.HumanDuration(TimeSpan.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(999, "999B")]
    [InlineData(1000, "1kB")]
    [InlineData(12345, "12.3kB")]
    [InlineData(45_000_000, "45MB")]
    [InlineData(1_500_000_000, "1.5GB")]
    public void HumanSize_UsesDecimalUnitsAndThreeDigits(double bytes, string expected)
    {
        Assert.Equal(expected, DockerPsFormat.HumanSize(bytes));
    }

    [Fact]
    public void Size_WithVirtualSize_ShowsBoth()
    {
        Assert.Equal("12.3kB (virtual 45MB)", DockerPsFormat.Size(12345, 45_000_000));
    }

    [Fact]
    public void Names_DropLinkAliases()
    {
        Assert.Equal("web", DockerPsFormat.Names(["/web", "/other/web-alias"]));
    }
}
