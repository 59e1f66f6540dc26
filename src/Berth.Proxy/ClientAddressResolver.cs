using System.Net;
using Microsoft.AspNetCore.Http;

namespace Berth.Proxy;

/// <summary>
/// Decides whether a peer is inside the Cloudflare ranges, and which address is the client's: the
/// <c>CF-Connecting-IP</c> header from such a peer, the socket's peer address otherwise.
/// </summary>
internal sealed class ClientAddressResolver
{
    public const string CloudflareHeader = "CF-Connecting-IP";

    private readonly IPNetwork[] _ranges;

    public ClientAddressResolver(EdgeOptions options)
    {
        _ranges = [.. options.CloudflareRanges.Select(Parse)];
    }

    public bool HasRanges => _ranges.Length > 0;

    public bool IsTrustedPeer(IPAddress? peer)
    {
        if (peer is null)
        {
            return false;
        }

        if (peer.IsIPv4MappedToIPv6)
        {
            peer = peer.MapToIPv4();
        }

        foreach (var range in _ranges)
        {
            if (range.Contains(peer))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The client's address as text, and whether the peer is a trusted Cloudflare address.</summary>
    public string? ClientAddress(HttpContext context, out bool trustedPeer)
    {
        var peer = context.Connection.RemoteIpAddress;
        trustedPeer = _ranges.Length > 0 && IsTrustedPeer(peer);
        if (trustedPeer)
        {
            var header = context.Request.Headers[CloudflareHeader];
            if (header.Count == 1 && IPAddress.TryParse(header[0], out var client))
            {
                return client.ToString();
            }
        }

        if (peer is not null && peer.IsIPv4MappedToIPv6)
        {
            peer = peer.MapToIPv4();
        }

        return peer?.ToString();
    }

    private static IPNetwork Parse(string cidr)
    {
        if (!IPNetwork.TryParse(cidr.Trim(), out var network))
        {
            throw new ArgumentException(
                $"{EdgeOptions.SectionName}:{nameof(EdgeOptions.CloudflareRanges)}: '{cidr}' is not a CIDR range such as 173.245.48.0/20.");
        }

        return network;
    }
}
