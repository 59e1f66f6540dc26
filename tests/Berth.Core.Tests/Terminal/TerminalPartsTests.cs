using System.Text;
using Berth.Core.Terminal;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Core.Tests.Terminal;

public sealed class TerminalPartsTests
{
    private static ConnectionTickets Tickets(FakeTimeProvider time) => new(time, Options.Create(new TerminalOptions()));

    [Fact]
    public void Ticket_IsGoodOnce_ForItsUserServerAndPurpose()
    {
        var time = new FakeTimeProvider();
        var tickets = Tickets(time);
        var ticket = tickets.Mint(7, 3, "terminal");
        Assert.Equal(43, ticket.Value.Length); // 32 bytes, base64url without padding
        Assert.True(tickets.Redeem(ticket.Value, 7, 3, "terminal"));
        Assert.False(tickets.Redeem(ticket.Value, 7, 3, "terminal"));
    }

    [Theory]
    [InlineData(8, 3, "terminal")]
    [InlineData(7, 4, "terminal")]
    [InlineData(7, 3, "files")]
    public void Ticket_ShownToTheWrongPlace_IsRefused_AndBurnt(long user, long server, string purpose)
    {
        var tickets = Tickets(new FakeTimeProvider());
        var ticket = tickets.Mint(7, 3, "terminal");
        Assert.False(tickets.Redeem(ticket.Value, user, server, purpose));
        Assert.False(tickets.Redeem(ticket.Value, 7, 3, "terminal"));
    }

    [Fact]
    public void Ticket_Expires_After30Seconds()
    {
        var time = new FakeTimeProvider();
        var tickets = Tickets(time);
        var late = tickets.Mint(7, 3, "terminal");
        var onTime = tickets.Mint(7, 3, "terminal");
        Assert.Equal(time.GetUtcNow().AddSeconds(30), late.ExpiresAt);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(tickets.Redeem(onTime.Value, 7, 3, "terminal"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(tickets.Redeem(late.Value, 7, 3, "terminal"));
    }

    [Fact]
    public void ReplayBuffer_KeepsTheNewestBytes_InOrder()
    {
        var ring = new ReplayBuffer(8);
        ring.Append("abc"u8);
        Assert.Equal("abc", Encoding.ASCII.GetString(ring.Snapshot()));
        ring.Append("defgh"u8);
        ring.Append("ij"u8);
        Assert.Equal("cdefghij", Encoding.ASCII.GetString(ring.Snapshot()));
        ring.Append("0123456789"u8);
        Assert.Equal("23456789", Encoding.ASCII.GetString(ring.Snapshot()));
    }

    [Theory]
    [InlineData("""{"type":"resize","cols":120,"rows":40}""", TerminalControlKind.Resize, 120, 40)]
    [InlineData("""{"type":"close"}""", TerminalControlKind.Close, 0, 0)]
    [InlineData("""{"type":"resize","cols":0,"rows":40}""", TerminalControlKind.Unknown, 0, 0)]
    [InlineData("""{"type":"resize","cols":100000,"rows":40}""", TerminalControlKind.Unknown, 0, 0)]
    [InlineData("""{"type":"resize","cols":"80","rows":40}""", TerminalControlKind.Unknown, 0, 0)]
    [InlineData("""{"type":"resize","cols":1.5,"rows":40}""", TerminalControlKind.Unknown, 0, 0)]
    [InlineData("""{"type":"dance"}""", TerminalControlKind.Unknown, 0, 0)]
    [InlineData("""not json""", TerminalControlKind.Unknown, 0, 0)]
    [InlineData("""[1,2]""", TerminalControlKind.Unknown, 0, 0)]
    public void ControlMessages_AreParsed_WithBounds(string json, TerminalControlKind kind, int cols, int rows)
    {
        var message = TerminalControl.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(new TerminalControl(kind, cols, rows), message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("HTTP://127.0.0.1:8080", true)]
    [InlineData("http://127.0.0.1:8081", false)]
    [InlineData("https://127.0.0.1:8080", false)]
    [InlineData("http://evil.example", false)]
    [InlineData("null", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("https://panel.example.com", true)]
    [InlineData("https://panel.example.com:443", true)]
    [InlineData("https://apps.panel.example.com", false)]
    public void Origins_AreCompared_Exactly(string? origin, bool allowed) =>
        Assert.Equal(allowed, new TerminalOrigins(["http://127.0.0.1:8080", "https://panel.example.com"]).Allows(origin));
}
