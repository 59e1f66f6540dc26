using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Berth.Core.Forwards;
using CsCheck;

namespace Berth.Core.Tests.Forwards;

/// <summary>
/// The PROXY protocol header a forward writes to the app: a conformance table of exact bytes from the
/// specification (https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt), properties over random
/// endpoints, and the reference reader, a real HAProxy with <c>accept-proxy</c>, agreeing on every
/// address family the listener can report.
/// </summary>
public sealed class ProxyProtocolHeaderTests(HaproxyFixture haproxy) : IClassFixture<HaproxyFixture>
{
    public static TheoryData<string, string, string, string> V1Table => new()
    {
        // version, client, public endpoint, the exact line
        { "v1", "192.0.2.1:4567", "198.51.100.2:30001", "PROXY TCP4 192.0.2.1 198.51.100.2 4567 30001\r\n" },
        { "v1", "[2001:db8::1]:65535", "[2001:db8::2]:1", "PROXY TCP6 2001:db8::1 2001:db8::2 65535 1\r\n" },
        // A dual-mode listener reports IPv4 clients mapped into IPv6: they are named as IPv4.
        { "v1", "[::ffff:192.0.2.9]:1000", "[::ffff:127.0.0.1]:30000", "PROXY TCP4 192.0.2.9 127.0.0.1 1000 30000\r\n" },
        // A link-local client's scope (%eth0) means nothing to the app.
        { "v1", "[fe80::1%2]:5000", "[fe80::2%2]:30000", "PROXY TCP6 fe80::1 fe80::2 5000 30000\r\n" },
        // A mixed pair is written in one family, IPv6.
        { "v1", "192.0.2.1:4567", "[2001:db8::2]:30001", "PROXY TCP6 ::ffff:192.0.2.1 2001:db8::2 4567 30001\r\n" },
    };

    [Theory]
    [MemberData(nameof(V1Table))]
    public void V1_IsTheSpecificationsTextLine(string version, string client, string listener, string line)
    {
        Assert.True(ForwardRules.TryParseProxyProtocol(version, out var parsed));
        Assert.Equal(line, Encoding.ASCII.GetString(ProxyProtocolHeader.Build(parsed, IPEndPoint.Parse(client), IPEndPoint.Parse(listener))));
    }

    [Fact]
    public void V2_OverIPv4_IsTheSpecificationsTwentyEightBytes()
    {
        var header = ProxyProtocolHeader.Build(ProxyProtocolVersion.V2, IPEndPoint.Parse("192.0.2.1:4567"), IPEndPoint.Parse("198.51.100.2:30001"));
        Assert.Equal(
            Convert.FromHexString("0D0A0D0A000D0A515549540A" + "21" + "11" + "000C" + "C0000201" + "C6336402" + "11D7" + "7531"),
            header);
    }

    [Fact]
    public void V2_OverIPv6_CarriesSixteenByteAddresses()
    {
        var header = ProxyProtocolHeader.Build(ProxyProtocolVersion.V2, IPEndPoint.Parse("[2001:db8::1]:1"), IPEndPoint.Parse("[2001:db8::2]:2"));
        Assert.Equal(16 + 36, header.Length);
        Assert.Equal(0x21, header[13]);
        Assert.Equal(36, BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(14)));
        Assert.Equal(IPAddress.Parse("2001:db8::1"), new IPAddress(header.AsSpan(16, 16)));
        Assert.Equal(IPAddress.Parse("2001:db8::2"), new IPAddress(header.AsSpan(32, 16)));
        Assert.Equal((1, 2), (BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(48)), BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(50))));
    }

    [Fact]
    public void Off_WritesNothing() =>
        Assert.Empty(ProxyProtocolHeader.Build(ProxyProtocolVersion.Off, IPEndPoint.Parse("192.0.2.1:1"), IPEndPoint.Parse("192.0.2.2:2")));

    [Theory]
    [InlineData("off", ProxyProtocolVersion.Off)]
    [InlineData(" V1 ", ProxyProtocolVersion.V1)]
    [InlineData("v2", ProxyProtocolVersion.V2)]
    public void TheStoredNames_AreRead(string text, ProxyProtocolVersion version)
    {
        Assert.True(ForwardRules.TryParseProxyProtocol(text, out var parsed));
        Assert.Equal(version, parsed);
        Assert.Equal(text.Trim().ToLowerInvariant(), ForwardRules.NameOf(parsed));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v3")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("on")]
    public void AnythingElse_IsNotAVersion(string? text) => Assert.False(ForwardRules.TryParseProxyProtocol(text, out _));

    /// <summary>Every header reads back to the endpoints it was built from, and a v1 line stays within the specification's 107 bytes.</summary>
    [Fact]
    public void RandomEndpoints_RoundTrip_InBothVersions() =>
        Gen.Select(Endpoint, Endpoint).Sample((client, listener) =>
        {
            var (from, to) = (Plain(client), Plain(listener));
            if (from.AddressFamily != to.AddressFamily)
            {
                (from, to) = (new IPEndPoint(from.Address.MapToIPv6(), from.Port), new IPEndPoint(to.Address.MapToIPv6(), to.Port));
            }

            var line = Encoding.ASCII.GetString(ProxyProtocolHeader.Build(ProxyProtocolVersion.V1, client, listener));
            var parts = line.TrimEnd('\r', '\n').Split(' ');
            var v1 = line.Length <= 107 && line.EndsWith("\r\n", StringComparison.Ordinal) && parts.Length == 6 && parts[0] == "PROXY"
                && parts[1] == (from.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6")
                && IPAddress.Parse(parts[2]).Equals(from.Address) && IPAddress.Parse(parts[3]).Equals(to.Address)
                && parts[4] == from.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)
                && parts[5] == to.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

            var header = ProxyProtocolHeader.Build(ProxyProtocolVersion.V2, client, listener);
            var size = from.AddressFamily == AddressFamily.InterNetwork ? 4 : 16;
            var v2 = header.AsSpan(0, 12).SequenceEqual(ProxyProtocolHeader.V2Signature) && header[12] == 0x21
                && BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(14)) == header.Length - 16 && header.Length == 16 + 2 * size + 4
                && new IPAddress(header.AsSpan(16, size)).Equals(from.Address) && new IPAddress(header.AsSpan(16 + size, size)).Equals(to.Address)
                && BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16 + 2 * size)) == from.Port
                && BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(18 + 2 * size)) == to.Port;
            return v1 && v2;
        });

    /// <summary>HAProxy, the protocol's reference reader, reports the client and public endpoints the header names.</summary>
    [Theory]
    [InlineData("v1", "192.0.2.1:4567", "198.51.100.2:30001", "192.0.2.1 4567 198.51.100.2 30001")]
    [InlineData("v2", "192.0.2.1:4567", "198.51.100.2:30001", "192.0.2.1 4567 198.51.100.2 30001")]
    [InlineData("v1", "[2001:db8::1]:65535", "[2001:db8::2]:30001", "2001:db8::1 65535 2001:db8::2 30001")]
    [InlineData("v2", "[2001:db8::1]:65535", "[2001:db8::2]:30001", "2001:db8::1 65535 2001:db8::2 30001")]
    [InlineData("v1", "[::ffff:203.0.113.7]:1", "[::ffff:127.0.0.1]:30000", "203.0.113.7 1 127.0.0.1 30000")]
    [InlineData("v2", "[::ffff:203.0.113.7]:1", "[::ffff:127.0.0.1]:30000", "203.0.113.7 1 127.0.0.1 30000")]
    [InlineData("v2", "[fe80::1%2]:5000", "[fe80::2%2]:30000", "fe80::1 5000 fe80::2 30000")]
    public async Task HAProxy_ReadsTheHeader_AsTheClientAndPublicEndpoints(string version, string client, string listener, string seen)
    {
        Assert.True(ForwardRules.TryParseProxyProtocol(version, out var parsed));
        var header = ProxyProtocolHeader.Build(parsed, IPEndPoint.Parse(client), IPEndPoint.Parse(listener));
        Assert.Equal(seen, await haproxy.ReportAsync(header));
    }

    private static readonly Gen<IPEndPoint> Endpoint = Gen.Select(
        Gen.OneOf(
            Gen.Byte.Array[4].Select(b => new IPAddress(b)),
            Gen.Byte.Array[16].Select(b => new IPAddress(b)),
            Gen.Byte.Array[4].Select(b => new IPAddress(b).MapToIPv6()),
            Gen.Select(Gen.Byte.Array[8], Gen.Long[1, 255], (tail, scope) => new IPAddress([0xfe, 0x80, 0, 0, 0, 0, 0, 0, .. tail], scope))),
        Gen.Int[0, 65535],
        (address, port) => new IPEndPoint(address, port));

    private static IPEndPoint Plain(IPEndPoint endpoint) => endpoint.Address.IsIPv4MappedToIPv6
        ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port)
        : new IPEndPoint(new IPAddress(endpoint.Address.GetAddressBytes()), endpoint.Port);
}
