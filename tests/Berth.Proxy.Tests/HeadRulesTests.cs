using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Berth.Proxy.Tests;

/// <summary>The rules every path to an origin applies to a client's request head (parsers tested on values directly).</summary>
public sealed class HeadRulesTests
{
    [Theory]
    [InlineData("X-Forwarded-For")]
    [InlineData("x-real-ip")]
    [InlineData("True-Client-IP")]
    [InlineData("X-Client-IP")]
    [InlineData("X-Cluster-Client-IP")]
    [InlineData("X_Forwarded_For")]
    [InlineData("x_forwarded_host")]
    [InlineData("Transfer_Encoding")]
    [InlineData("Content_Length")]
    [InlineData("CF_Connecting_IP")]
    [InlineData("Host")]
    [InlineData("Keep-Alive")]
    public void IsDropped_EdgeOwnedNamesAndTheirUnderscoreTwins_True(string name)
    {
        Assert.True(HeadRules.IsDropped(name, default));
        Assert.True(HeadRules.IsDropped(System.Text.Encoding.ASCII.GetBytes(name)));
    }

    [Theory]
    [InlineData("X-Custom")]
    [InlineData("X_Custom")]
    [InlineData("Cookie")]
    [InlineData("CF-Connecting-IP")]
    public void IsDropped_OtherNames_False(string name) => Assert.False(HeadRules.IsDropped(name, default));

    [Theory]
    [InlineData("close, X-Hop", "X-Hop", true)]
    [InlineData("x-hop", "X-Hop", true)]
    [InlineData("keep-alive,\tx-hop ", "X-Hop", true)]
    [InlineData("close", "X-Hop", false)]
    [InlineData("X-Hopper", "X-Hop", false)]
    public void IsNominated_ByConnectionValues(string connection, string name, bool nominated) =>
        Assert.Equal(nominated, HeadRules.IsNominated(name, new StringValues(connection)));

    [Theory]
    [InlineData("GET", "/a", "X-Ok", "v", true)]
    [InlineData("GET", "*", "X-Ok", "v\twith tab", true)]
    [InlineData("GET", "/a b", "X-Ok", "v", false)]
    [InlineData("GET", "/a\tb", "X-Ok", "v", false)]
    [InlineData("GET", "/caf\u00e9", "X-Ok", "v", false)]
    [InlineData("GE T", "/a", "X-Ok", "v", false)]
    [InlineData("GET", "/a", "transfer-encoding ", "chunked", false)]
    [InlineData("GET", "/a", "x:y", "v", false)]
    [InlineData("GET", "/a", "X\tTab", "v", false)]
    [InlineData("GET", "/a", "X-Ok", "a\r\nHost: evil", false)]
    [InlineData("GET", "/a", "X-Ok", "nul\0", false)]
    public void IsForwardable_TokensVisibleTargetsAndValuesWithoutControls(string method, string target, string name, string value, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = target;
        context.Request.Host = new HostString("a.test");
        context.Request.Headers[name] = value;

        Assert.Equal(expected, HeadRules.IsForwardable(context));
    }
}
