namespace Berth.Proxy.Tests;

public sealed class HostNameTests
{
    [Theory]
    [InlineData("a.test", "a.test")]
    [InlineData("a.test:8080", "a.test")]
    [InlineData("a.test.", "a.test")]
    [InlineData("a.test.:80", "a.test")]
    [InlineData("[::1]:80", "[::1]")]
    [InlineData("", "")]
    public void FromHeader_StripsPortAndTrailingDot(string header, string expected) =>
        Assert.Equal(expected, HostName.FromHeader(header).ToString());
}
