using System.Net;
using Microsoft.Extensions.Options;

namespace Berth.Proxy;

/// <summary>The one connection pool to origins, tuned for proxying: no proxy, cookies, redirects, decompression or trace headers.</summary>
internal sealed class EdgeForwarderClient : IDisposable
{
    public EdgeForwarderClient(IOptions<EdgeOptions> options)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
            ConnectTimeout = options.Value.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            MaxResponseHeadersLength = 64,
        };
        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose() => Invoker.Dispose();
}
