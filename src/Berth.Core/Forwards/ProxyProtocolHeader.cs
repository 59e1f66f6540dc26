using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Berth.Core.Forwards;

/// <summary>Whether a forward tells the app who connected, and in which version of the PROXY protocol.</summary>
public enum ProxyProtocolVersion
{
    /// <summary>Nothing is added: the app sees Berth's address on the servers' network as the client.</summary>
    Off,

    /// <summary>The text header, <c>PROXY TCP4 …\r\n</c>.</summary>
    V1,

    /// <summary>The binary header (signature, command PROXY, TCP over IPv4 or IPv6).</summary>
    V2,
}

/// <summary>
/// The header a forward writes to the app before the client's first byte, so that an app that expects
/// it (nginx <c>listen … proxy_protocol</c>, HAProxy <c>accept-proxy</c>, Traefik, Postgres poolers) learns the
/// real client address, which the splice otherwise hides. Built only from the two socket addresses the
/// kernel reports for the accepted connection: nothing a client sends reaches it. Format:
/// https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt (sections 2.1 and 2.2).
/// </summary>
public static class ProxyProtocolHeader
{
    /// <summary>The twelve bytes that open every v2 header.</summary>
    public static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>The header for a connection from <paramref name="source"/> (the client) to <paramref name="destination"/> (the public port).</summary>
    public static byte[] Build(ProxyProtocolVersion version, IPEndPoint source, IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var (from, to) = SameFamily(Plain(source), Plain(destination));
        return version switch
        {
            ProxyProtocolVersion.V1 => V1(from, to),
            ProxyProtocolVersion.V2 => V2(from, to),
            _ => [],
        };
    }

    private static byte[] V1(IPEndPoint from, IPEndPoint to)
    {
        var family = from.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        return Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"PROXY {family} {from.Address} {to.Address} {from.Port} {to.Port}\r\n"));
    }

    private static byte[] V2(IPEndPoint from, IPEndPoint to)
    {
        var v4 = from.AddressFamily == AddressFamily.InterNetwork;
        var addressLength = v4 ? 4 : 16;
        var length = 2 * addressLength + 4;
        var header = new byte[16 + length];
        V2Signature.CopyTo(header);
        header[12] = 0x21; // version 2, command PROXY
        header[13] = v4 ? (byte)0x11 : (byte)0x21; // TCP over IPv4 / IPv6
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)length);
        from.Address.TryWriteBytes(header.AsSpan(16, addressLength), out _);
        to.Address.TryWriteBytes(header.AsSpan(16 + addressLength, addressLength), out _);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16 + 2 * addressLength), (ushort)from.Port);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(18 + 2 * addressLength), (ushort)to.Port);
        return header;
    }

    /// <summary>
    /// A dual-mode listener reports IPv4 clients as <c>::ffff:a.b.c.d</c>; the header names them as IPv4.
    /// A link-local address's scope (<c>%eth0</c>) means nothing to the app and has no place in either format.</summary>
    private static IPEndPoint Plain(IPEndPoint endpoint) => endpoint.Address switch
    {
        { IsIPv4MappedToIPv6: true } mapped => new IPEndPoint(mapped.MapToIPv4(), endpoint.Port),
        { AddressFamily: AddressFamily.InterNetworkV6, ScopeId: not 0 } scoped => new IPEndPoint(new IPAddress(scoped.GetAddressBytes()), endpoint.Port),
        _ => endpoint,
    };

    /// <summary>Both addresses of a header are of one family; a mixed pair (not seen on one socket) is written as IPv6.</summary>
    private static (IPEndPoint From, IPEndPoint To) SameFamily(IPEndPoint from, IPEndPoint to) =>
        from.AddressFamily == to.AddressFamily
            ? (from, to)
            : (new IPEndPoint(from.Address.MapToIPv6(), from.Port), new IPEndPoint(to.Address.MapToIPv6(), to.Port));
}
