using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Berth.Proxy;

/// <summary>
/// Copies the request as it came, keeps the client's Host header (the origin may host several names),
/// and replaces the X-Forwarded-* headers: whatever a client sent in them is not believed.
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
        headers.Host = host;

        headers.Remove(ForwardedFor);
        headers.Remove(ForwardedProto);
        headers.Remove(ForwardedHost);
        headers.Remove("Forwarded");

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
}
