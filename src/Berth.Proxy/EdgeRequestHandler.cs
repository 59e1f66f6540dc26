using System.Net;
using Berth.Proxy.Origins;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Berth.Proxy;

/// <summary>
/// The whole request path of the edge: one route lookup, then the ACME challenge, the Cloudflare
/// filter, the client certificate check, the HTTPS redirect, or forwarding: the common HTTP/1.1 request by the edge's own
/// <see cref="OriginForwarder"/>, everything else through YARP's <see cref="IHttpForwarder"/>. YARP's own
/// route matching is not used: with thousands of hosts, rebuilding its endpoint matcher on every change
/// costs far more than one dictionary probe per request.
/// </summary>
internal sealed class EdgeRequestHandler
{
    private const string ChallengePrefix = "/.well-known/acme-challenge";

    private readonly EdgeRouteTable _routes;
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;
    private readonly EdgeTransformer _transformer;
    private readonly ClientAddressResolver _clientAddresses;
    private readonly IAcmeChallengeResponder? _challenges;
    private readonly ILogger _logger;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly OriginForwarder _origins;
    private readonly OriginPools _originPools;
    private readonly int? _httpsRedirectPort;
    private readonly bool _ownOriginClient;

    public EdgeRequestHandler(
        EdgeRouteTable routes,
        IHttpForwarder forwarder,
        EdgeForwarderClient client,
        EdgeTransformer transformer,
        ClientAddressResolver clientAddresses,
        IOptions<EdgeOptions> options,
        ILogger<EdgeRequestHandler> logger,
        OriginForwarder origins,
        OriginPools originPools,
        IAcmeChallengeResponder? challenges = null)
    {
        _origins = origins;
        _originPools = originPools;
        _routes = routes;
        _forwarder = forwarder;
        _client = client.Invoker;
        _transformer = transformer;
        _clientAddresses = clientAddresses;
        _challenges = challenges;
        _logger = logger;
        _httpsRedirectPort = options.Value.HttpsRedirectPort is 443 ? null : options.Value.HttpsRedirectPort;
        _ownOriginClient = options.Value.OwnOriginClient;
        _requestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = options.Value.ActivityTimeout,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            AllowResponseBuffering = false,
        };
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var hostHeader = request.Host.Value ?? string.Empty;

        // Before any path: what an HTTP/2 client can put in a field name or :path must never reach an
        // HTTP/1.1 origin (smuggled headers and requests), whichever forwarder would write it.
        if (!HeadRules.IsForwardable(context))
        {
            return EdgePages.WriteAsync(context, StatusCodes.Status400BadRequest, EdgePages.BadRequest);
        }

        // A TLS connection made for one name serves only that name: no fronting one tenant's name
        // through another's certificate and connection (RFC 9110 §15.5.20).
        if (request.IsHttps && context.Features.Get<ITlsHandshakeFeature>()?.HostName is { Length: > 0 } serverName
            && !HostName.FromHeader(hostHeader).Equals(HostName.FromHeader(serverName), StringComparison.OrdinalIgnoreCase))
        {
            return EdgePages.WriteAsync(context, StatusCodes.Status421MisdirectedRequest, EdgePages.Misdirected);
        }

        if (_challenges is not null && request.Path.StartsWithSegments(ChallengePrefix, StringComparison.Ordinal, out var rest))
        {
            return AnswerChallengeAsync(context, hostHeader, rest);
        }

        // A body announced larger than the limit is refused before an origin sees its head; Kestrel alone
        // would fail only at the first read of the body, after the head was sent on.
        if (request.ContentLength is { } length && length > 0
            && context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } maxBody && length > maxBody)
        {
            context.Response.Headers.Connection = "close";
            return EdgePages.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, EdgePages.TooLarge);
        }

        if (!_routes.TryFindEntry(hostHeader, out var entry))
        {
            return EdgePages.WriteAsync(context, StatusCodes.Status404NotFound, EdgePages.NotFound);
        }

        if (entry.IsCloudflare && !_clientAddresses.IsTrustedPeer(context.Connection.RemoteIpAddress))
        {
            Log.CloudflareRefused(_logger, context.Connection.RemoteIpAddress?.ToString(), entry.Route.Host);
            return EdgePages.WriteAsync(context, StatusCodes.Status403Forbidden, EdgePages.Forbidden);
        }

        // A connection answered with the fallback certificate is authenticated for no tenant's name
        // (pending or failed certificate, HTTP-only domain, no SNI): the edge answers, never the tenant.
        if (request.IsHttps && context.Features.Get<FallbackCertificateFeature>() is not null)
        {
            return EdgePages.WriteAsync(context, StatusCodes.Status421MisdirectedRequest, EdgePages.NoCertificate);
        }

        if (entry.RequiresClientCertificate && !ClientCertificateValidator.Presented(context))
        {
            Log.ClientCertificateRefused(_logger, context.Connection.RemoteIpAddress?.ToString(), entry.Route.Host);
            return EdgePages.WriteAsync(context, StatusCodes.Status403Forbidden, EdgePages.Forbidden);
        }

        if (entry.RedirectsToHttps && !request.IsHttps)
        {
            var host = HostName.FromHeader(hostHeader).ToString();
            var target = new HostString(host, _httpsRedirectPort ?? 443);
            context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
            context.Response.Headers.Location = UriHelper.BuildAbsolute(
                "https", _httpsRedirectPort is null ? new HostString(host) : target, request.PathBase, request.Path, request.QueryString);
            return Task.CompletedTask;
        }

        if (_ownOriginClient && entry.OriginEndPoint is { } origin && OriginForwarder.CanForward(context, out var framing))
        {
            var client = _clientAddresses.ClientAddress(context, out var trustedPeer);
            if (OriginRequestHead.TryWrite(context, client, trustedPeer, framing, out var head, out var headLength))
            {
                var pool = entry.OriginPool ??= _originPools.For(origin);
                return _origins.ForwardAsync(context, entry.Route.Host, pool, head, headLength, framing);
            }
        }

        return ForwardAsync(context, entry);
    }

    /// <summary>The general path (WebSockets, HTTPS or named origins, unusual requests): YARP's forwarder.</summary>
    private async Task ForwardAsync(HttpContext context, RouteEntry entry)
    {
        var error = await _forwarder.SendAsync(context, entry.DestinationPrefix, _client, _requestConfig, _transformer);
        if (error == ForwarderError.None)
        {
            return;
        }

        var status = context.Response.StatusCode;
        if (status is StatusCodes.Status502BadGateway or StatusCodes.Status504GatewayTimeout && !context.Response.HasStarted)
        {
            Log.ForwardFailed(_logger, entry.Route.Host, error, context.Features.Get<IForwarderErrorFeature>()?.Exception);
            await EdgePages.WriteAsync(
                context, status, status == StatusCodes.Status504GatewayTimeout ? EdgePages.GatewayTimeout : EdgePages.BadGateway);
        }
    }

    private async Task AnswerChallengeAsync(HttpContext context, string hostHeader, PathString rest)
    {
        var token = rest.Value?.TrimStart('/');
        string? keyAuthorization = null;
        if (!string.IsNullOrEmpty(token) && !token.Contains('/', StringComparison.Ordinal)
            && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            var host = HostName.FromHeader(hostHeader).ToString().ToLowerInvariant();
            keyAuthorization = await _challenges!.GetKeyAuthorizationAsync(host, token, context.RequestAborted);
        }

        if (keyAuthorization is null)
        {
            await EdgePages.WriteAsync(context, StatusCodes.Status404NotFound, EdgePages.NotFound);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(keyAuthorization, context.RequestAborted);
    }
}
