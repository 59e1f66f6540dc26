using System.Net.Http.Json;
using Berth.Server.Components.Pages.Servers.Stacks;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Stacks;

/// <summary>The panel's templates for a first stack pass the same validation as any stack (Berth's reading and Compose's own parser) in a real server.</summary>
[Collection(SharedEngine.Name)]
public sealed class StackTemplatesTests(StacksFixture fixture) : IClassFixture<StacksFixture>
{
    [Fact]
    public async Task EveryTemplate_IsValid_WithNoMessages_UnderItsSuggestedName()
    {
        Assert.NotEmpty(StackTemplates.All);
        foreach (var template in StackTemplates.All)
        {
            var env = template.Env();
            var validation = await (await fixture.Alice.PostAsJsonAsync(
                $"/api/servers/{fixture.ServerId}/stacks/validate", new { compose = template.Compose, env, name = template.Name })).JsonAsync();
            Assert.True(validation.GetProperty("valid").GetBoolean(), $"{template.Key}: {validation}");
            Assert.True(validation.GetProperty("messages").GetArrayLength() == 0, $"{template.Key}: {validation}");
        }
    }

    [Fact]
    public void TheWordPressTemplate_GetsNewPasswords_EachTimeItIsChosen()
    {
        var first = StackTemplates.WordPress.Env();
        var second = StackTemplates.WordPress.Env();
        Assert.Matches("^DB_PASSWORD=[0-9a-f]{32}\nDB_ROOT_PASSWORD=[0-9a-f]{32}\n$", first);
        Assert.NotEqual(first, second);
    }
}

/// <summary>Which published ports the Stacks tab offers a domain for.</summary>
public sealed class StackPortsTests
{
    [Theory]
    [InlineData("0.0.0.0:8080->80/tcp, [::]:8080->80/tcp", new[] { 8080 })]
    [InlineData("127.0.0.1:9000->9000/tcp, 0.0.0.0:8443->443/tcp", new[] { 9000, 8443 })]
    [InlineData("80/tcp, 443/tcp", new int[0])]
    [InlineData("0.0.0.0:5353->53/udp", new int[0])]
    [InlineData("", new int[0])]
    [InlineData("[fe80::1]:7000->7000/tcp", new[] { 7000 })]
    public void OnlyTcpPortsPublishedOnTheServer_EachOnce(string ports, int[] expected) =>
        Assert.Equal(expected, StackPorts.Published(ports));
}
