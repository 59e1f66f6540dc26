using Berth.Proxy.Tests.Infrastructure;

namespace Berth.Proxy.Tests;

/// <summary>Odd Host headers on a raw socket: each is refused or routed to its own name, never to another origin.</summary>
public sealed class HostHeaderAbuseTests : EdgeTestBase
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "400")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\nConnection: close\r\n\r\n", "400")]
    [InlineData("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", "404")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]:80\r\nConnection: close\r\n\r\n", "404")]
    [InlineData("GET / HTTP/1.1\r\nHost: unknown.test\r\nConnection: close\r\n\r\n", "404")]
    [InlineData("GET / HTTP/1.1\r\nHost: b.test.evil\r\nConnection: close\r\n\r\n", "404")]
    [InlineData("GET / HTTP/1.1\r\nHost: evil.b.test\r\nConnection: close\r\n\r\n", "404")]
    [InlineData("GET / HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n", "404")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test@b.test\r\nConnection: close\r\n\r\n", "400")]
    [InlineData("GET / HTTP/1.1\r\nHost: b.test/x\r\nConnection: close\r\n\r\n", "400")]
    [InlineData("GET http://b.test/ HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", "400")]
    [InlineData("GET / HTTP/1.0\r\n\r\n", "404")]
    public async Task Abuse_NeverReachesAnOrigin(string rawRequest, string expectedStatus)
    {
        var response = await EdgeClients.SendRawAsync(HttpEdge, rawRequest);

        Assert.StartsWith($"HTTP/1.1 {expectedStatus} ", response, StringComparison.Ordinal);
        Assert.DoesNotContain("backend-", response, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.test:1", "backend-a")]
    [InlineData("A.TEST", "backend-a")]
    [InlineData("B.TEST:65535", "backend-b")]
    public async Task HostWithPortOrUpperCase_ReachesOnlyItsOwnOrigin(string host, string expected)
    {
        var response = await EdgeClients.SendRawAsync(HttpEdge, $"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 ", response, StringComparison.Ordinal);
        Assert.Contains($"X-Backend: {expected}\r\n", response, StringComparison.Ordinal);
        Assert.Contains($"\r\n{expected}\r\n", response, StringComparison.Ordinal);
        Assert.DoesNotContain(expected == "backend-a" ? "backend-b" : "backend-a", response, StringComparison.Ordinal);
    }
}
