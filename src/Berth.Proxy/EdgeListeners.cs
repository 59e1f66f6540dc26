using System.Net;
using System.Net.Security;
using Berth.Proxy.Lane;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

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
            return options.HttpUrls.Count + options.HttpsUrls.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static void Configure(
        KestrelServerOptions kestrel, EdgeOptions options, ICertificateSelector selector, EdgeRouteTable routes, ClientCertificateValidator clientCertificates)
    {
        kestrel.AddServerHeader = false;
        var limits = kestrel.Limits;
        limits.MaxRequestHeadersTotalSize = options.MaxRequestHeadersTotalSize;
        limits.MaxRequestHeaderCount = options.MaxRequestHeaderCount;
        limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
        limits.KeepAliveTimeout = options.KeepAliveTimeout;
        limits.MaxRequestBodySize = options.MaxRequestBodySize;
        limits.MaxConcurrentConnections = options.MaxConcurrentConnections;

        foreach (var url in options.HttpUrls)
        {
            // The plain lane reads each connection first and leaves Kestrel what is not a plain request.
            Listen(kestrel, url, listen =>
            {
                if (options.PlainLane && options.OwnOriginClient)
                {
                    listen.Use(next => listen.ApplicationServices.GetRequiredService<PlainLane>().Wrap(next));
                }
            });
        }

        foreach (var url in options.HttpsUrls)
        {
            Listen(kestrel, url, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
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
                            ServerCertificateContext = selector.SelectContext(serverName),
                        };
                        // Asked for at the handshake, never later: HTTP/2 has no renegotiation, and a
                        // client without a valid certificate never gets a connection to send requests on.
                        if (!string.IsNullOrEmpty(serverName) && routes.TryFindEntry(serverName, out var entry) && entry.RequiresClientCertificate)
                        {
                            clientCertificates.Require(tls, entry.Route.Host);
                        }

                        return ValueTask.FromResult(tls);
                    },
                    HandshakeTimeout = TimeSpan.FromSeconds(10),
                });
            });
        }
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
