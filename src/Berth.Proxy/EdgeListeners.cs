using System.Net;
using System.Net.Security;
using Berth.Proxy.Lane;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Proxy;

/// <summary>Kestrel listeners and limits for the edge.</summary>
internal static class EdgeListeners
{
    public static bool IsValid(EdgeOptions options)
    {
        try
        {
            foreach (var url in options.HttpUrls.Concat(options.HttpsUrls))
            {
                _ = ParseUrl(url);
            }

            _ = new ClientAddressResolver(options);
            return options.HttpUrls.Count + options.HttpsUrls.Count > 0
                && options.MaxConcurrentConnections is null or > 0
                && options.MaxConnectionsPerClient is null or > 0
                && options.MaxConnectionsPerOrigin > 0
                && options.MaxRequestBodySize is null or >= 0
                && options.TlsHandshakeTimeout > TimeSpan.Zero
                && options.RequestHeadersTimeout > TimeSpan.Zero
                && options.KeepAliveTimeout > TimeSpan.Zero;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static void Configure(
        KestrelServerOptions kestrel, EdgeOptions options, ICertificateSelector selector, EdgeRouteTable routes,
        ClientCertificateValidator clientCertificates, TimeProvider clock, ILogger logger)
    {
        kestrel.AddServerHeader = false;
        var limits = kestrel.Limits;
        limits.MaxRequestHeadersTotalSize = options.MaxRequestHeadersTotalSize;
        limits.MaxRequestHeaderCount = options.MaxRequestHeaderCount;
        limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
        limits.KeepAliveTimeout = options.KeepAliveTimeout;
        limits.MaxRequestBodySize = options.MaxRequestBodySize;

        // Connection limits are the edge's own (ConnectionLimits: over all listeners, and per client),
        // first on every listener so that a refused connection costs no TLS handshake. A new connection
        // then gets RequestHeadersTimeout, not Kestrel's KeepAliveTimeout, for its first bytes.
        foreach (var url in options.HttpUrls)
        {
            // The plain lane reads each connection first and leaves Kestrel what is not a plain request.
            Listen(kestrel, url, listen =>
            {
                listen.Use(next => listen.ApplicationServices.GetRequiredService<ConnectionLimits>().Wrap(next));
                listen.Use(next => listen.ApplicationServices.GetRequiredService<LaneTimeouts>().FirstBytes(next));
                if (options.PlainLane && options.OwnOriginClient)
                {
                    listen.Use(next => listen.ApplicationServices.GetRequiredService<PlainLane>().Wrap(next));
                }
            });
        }

        // Made once per start, and only when there is an HTTPS listener (the key costs a few milliseconds).
        var fallback = options.HttpsUrls.Count > 0 ? FallbackCertificate.Create(clock) : null;
        foreach (var url in options.HttpsUrls)
        {
            Listen(kestrel, url, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.Use(next => listen.ApplicationServices.GetRequiredService<ConnectionLimits>().Wrap(next));
                // The handshake callback (rather than a certificate selector) lets the certificate's
                // intermediates travel with it; without them clients cannot build a chain to a public root.
                listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = context =>
                    {
                        var serverName = context.ClientHelloInfo.ServerName;
                        var tls = new SslServerAuthenticationOptions
                        {
                            // ApplicationProtocols left null: Kestrel then offers the listener's protocols (ALPN).
                            ServerCertificateContext = SelectContext(context, selector, fallback!, logger),
                        };
                        // Asked for at the handshake, never later: HTTP/2 has no renegotiation, and a
                        // client without a valid certificate never gets a connection to send requests on.
                        if (!string.IsNullOrEmpty(serverName) && routes.TryFindEntry(serverName, out var entry) && entry.RequiresClientCertificate)
                        {
                            clientCertificates.Require(tls, entry.Route.Host);
                        }

                        return ValueTask.FromResult(tls);
                    },
                    HandshakeTimeout = options.TlsHandshakeTimeout,
                });
                listen.Use(next => listen.ApplicationServices.GetRequiredService<LaneTimeouts>().FirstBytes(next));
            });
        }
    }

    /// <summary>
    /// The name's certificate, or the fallback one: a handshake never fails for want of a certificate (which
    /// Kestrel reports with a stack trace and the client sees as a reset). One Debug line, no exception.
    /// </summary>
    private static SslStreamCertificateContext SelectContext(
        TlsHandshakeCallbackContext context, ICertificateSelector selector, SslStreamCertificateContext fallback, ILogger logger)
    {
        var serverName = context.ClientHelloInfo.ServerName;
        if (selector.SelectContext(serverName) is { } selected)
        {
            return selected;
        }

        context.Connection.Features.Set(FallbackCertificateFeature.Instance);
        Log.FallbackCertificate(logger, string.IsNullOrEmpty(serverName) ? "(no SNI)" : serverName);
        return fallback;
    }

    private static void Listen(KestrelServerOptions kestrel, string url, Action<ListenOptions> configure)
    {
        var (host, port) = ParseUrl(url);
        if (host is null)
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else if (host.Equals(IPAddress.Loopback) && url.Contains("localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else
        {
            kestrel.Listen(host, port, configure);
        }
    }

    private static (IPAddress? Host, int Port) ParseUrl(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"'{url}' is not a listener URL such as http://0.0.0.0:80.", ex);
        }

        var port = address.Port;
        var host = address.Host;
        if (host is "*" or "+" or "0.0.0.0" or "[::]")
        {
            return (null, port);
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return (IPAddress.Loopback, port);
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var ip)
            ? (ip, port)
            : throw new ArgumentException($"'{url}': a listener needs an IP address, '*' or 'localhost', not '{host}'.");
    }
}
