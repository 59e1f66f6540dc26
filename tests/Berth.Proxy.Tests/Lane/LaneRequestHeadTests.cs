using Berth.Proxy.Lane;

namespace Berth.Proxy.Tests.Lane;

public sealed class LaneRequestHeadTests
{
    [Fact]
    public void PlainHead_IsTranslated_HostFirst_ClientsForwardingHeadersReplaced()
    {
        var head = "GET /p?q=1 HTTP/1.1\r\nUser-Agent: t\r\nHost: a.test:8080\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\nX-Forwarded-For: 203.0.113.9\r\nAccept: */*\r\n\r\n"u8;
        var buffer = new byte[LaneRequestHead.TranslatedSize(head.Length + 9)];

        var ok = LaneRequestHead.TryTranslate(head, 100, "127.0.0.1"u8, buffer, out var host, out var isHead, out var close, out var length);

        Assert.True(ok);
        Assert.Equal("a.test:8080", System.Text.Encoding.ASCII.GetString(host));
        Assert.False(isHead);
        Assert.False(close);
        Assert.Equal(
            "GET /p?q=1 HTTP/1.1\r\nHost: a.test:8080\r\nUser-Agent: t\r\nAccept: */*\r\n"
            + "X-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: a.test:8080\r\n\r\n",
            System.Text.Encoding.ASCII.GetString(buffer, 0, length));
    }

    [Theory]
    [InlineData("HEAD / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", true, true)]
    [InlineData("GET / HTTP/1.1\r\nhost: A.TEST.\r\n\r\n", false, false)]
    public void HeadAndClose_AreRecognised(string head, bool isHead, bool close)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(head);
        var buffer = new byte[LaneRequestHead.TranslatedSize(bytes.Length)];

        Assert.True(LaneRequestHead.TryTranslate(bytes, 100, default, buffer, out _, out var seenHead, out var seenClose, out var length));
        Assert.Equal((isHead, close), (seenHead, seenClose));
        Assert.DoesNotContain("Connection", System.Text.Encoding.ASCII.GetString(buffer, 0, length), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: a.test\r\n\r\n")]
    [InlineData("GET / HTTP/1.0\r\nHost: a.test\r\n\r\n")]
    [InlineData("GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nHost: a.test\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test:70000\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nUpgrade: h2c\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive, Upgrade\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\n Folded: x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nX-Bad: caf\u00e9\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nX-Bad\r\n\r\n")]
    [InlineData("GET /\u0001 HTTP/1.1\r\nHost: a.test\r\n\r\n")]
    public void AnythingElse_IsNotTheLanes(string head)
    {
        var bytes = System.Text.Encoding.Latin1.GetBytes(head);
        var buffer = new byte[LaneRequestHead.TranslatedSize(bytes.Length)];

        Assert.False(LaneRequestHead.TryTranslate(bytes, 100, default, buffer, out _, out _, out _, out _));
    }

    [Fact]
    public void MoreHeadersThanTheLimit_AreNotTheLanes()
    {
        var head = System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a.test\r\nA: 1\r\nB: 2\r\n\r\n");
        var buffer = new byte[LaneRequestHead.TranslatedSize(head.Length)];

        Assert.True(LaneRequestHead.TryTranslate(head, 3, default, buffer, out _, out _, out _, out _));
        Assert.False(LaneRequestHead.TryTranslate(head, 2, default, buffer, out _, out _, out _, out _));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", 32)]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\n", 0)]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\n\r\nGET", 32)]
    public void EndOfHead_IsFound(string data, int expected) =>
        Assert.Equal(expected, LaneRequestHead.FindEnd(System.Text.Encoding.ASCII.GetBytes(data), 8192));

    [Fact]
    public void HeadLongerThanTheLimit_IsNotTheLanes()
    {
        var data = System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a.test\r\nX: " + new string('x', 100) + "\r\n\r\n");

        Assert.Equal(-1, LaneRequestHead.FindEnd(data, 64));
        Assert.Equal(-1, LaneRequestHead.FindEnd(data.AsSpan(0, 70), 64));
    }
}
