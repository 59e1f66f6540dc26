using Berth.Core.Errors;
using Berth.Core.Stacks;

namespace Berth.Server.Tests.Stacks;

/// <summary>The one check of stack and service names every route goes through.</summary>
public sealed class StackNameTests
{
    [Theory]
    [InlineData("shop")]
    [InlineData("0day")]
    [InlineData("my-app_2")]
    public void Parse_ComposeProjectName_IsAccepted(string text) => Assert.Equal(text, StackName.Parse(text).Value);

    [Theory]
    [InlineData("a;rm -rf /")]
    [InlineData("$(id)")]
    [InlineData("--help")]
    [InlineData("-f/etc/x")]
    [InlineData("..")]
    [InlineData("_hidden")]
    [InlineData("Shop")]
    [InlineData("a b")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Parse_AnythingElse_IsRefusedWithOneCode(string? text)
    {
        var refused = Assert.Throws<BerthException>(() => StackName.Parse(text));
        Assert.Equal("STACK_NAME_INVALID", refused.Code);
    }

    [Theory]
    [InlineData("$(id)")]
    [InlineData("--help")]
    [InlineData("-f/etc/x")]
    [InlineData("a;b")]
    public void ServiceName_Injection_IsRefused(string text) =>
        Assert.Equal("SERVICE_NAME_INVALID", Assert.Throws<BerthException>(() => ServiceName.ParseOptional(text)).Code);

    [Fact]
    public void ComposeChecks_FindBindMountsLeavingAppsAndTheEngineSocket_AsWarningsWithLines()
    {
        var report = ComposeChecks.Check("""
            services:
              web:
                image: nginx
                volumes:
                  - ./site:/usr/share/nginx/html
                  - /etc:/host-etc:ro
                  - /var/run/docker.sock:/var/run/docker.sock
                  - ../../..:/up
                ports:
                  - "8080:80"
                  - 127.0.0.1:9000-9001:9000-9001/udp
            """, "/apps/stacks/shop");
        Assert.True(report.Parsed);
        Assert.Equal([(6, StackMessage.Warning), (7, StackMessage.Warning), (8, StackMessage.Warning)], report.Messages.Select(m => (m.Line ?? 0, m.Severity)));
        Assert.Contains("docker engine", report.Messages[1].Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal([(8080, "tcp"), (9000, "udp"), (9001, "udp")], report.Ports.Select(p => (p.Port, p.Protocol)));
    }
}
