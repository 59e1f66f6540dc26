using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Berth.Proxy;

/// <summary>
/// YARP's path: copies the request as it came, keeps the client's Host header (the origin may host
/// several names), drops what <see cref="HeadRules"/> keeps on the edge, and replaces the X-Forwarded-*
/// headers: whatever a client sent in them is not believed.
/// </summary>
internal sealed class EdgeTransformer(ClientAddressResolver clientAddresses) : HttpTransformer
{
    private const string ForwardedFor = "X-Forwarded-For";
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string ForwardedHost = "X-Forwarded-Host";

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        var request = httpContext.Request;
        var headers = proxyRequest.Headers;
        var host = request.Host.Value;

        // The same headers stay on the edge as on its own paths (client-address headers, underscore twins,
        // what the client's Connection nominated). Connection and Upgrade are YARP's to write for upgrades.
        var nominated = request.Headers.Connection;
        foreach (var name in headers.Select(header => header.Key).ToArray())
        {
            if (name is not ("Connection" or "Upgrade") && HeadRules.IsDropped(name, nominated))
            {
                headers.Remove(name);
            }
        }

        headers.Host = host;
        var client = clientAddresses.ClientAddress(httpContext, out var trustedPeer);
        if (!trustedPeer)
        {
            // Only Cloudflare may tell the origin who the client is.
            headers.Remove(ClientAddressResolver.CloudflareHeader);
        }

        if (client is not null)
        {
            headers.TryAddWithoutValidation(ForwardedFor, client);
        }

        headers.TryAddWithoutValidation(ForwardedProto, request.IsHttps ? "https" : "http");
        if (host is not null)
        {
            headers.TryAddWithoutValidation(ForwardedHost, host);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(
        HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is not null && proxyResponse.Headers.Connection.Count > 0)
        {
            // Headers the origin's Connection nominated end at this hop (RFC 9110 §7.6.1).
            foreach (var name in proxyResponse.Headers.Connection)
            {
                httpContext.Response.Headers.Remove(name);
            }
        }

        return result;
    }
}
