using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Proxy;

/// <summary>
/// The edge's limits on client connections over all its listeners: at most
/// <see cref="EdgeOptions.MaxConcurrentConnections"/> in all and <see cref="EdgeOptions.MaxConnectionsPerClient"/>
/// from one address (an IPv6 client by its /64, the block one subscriber gets; Cloudflare's peers not
/// counted). A connection middleware first on every listener, before TLS: a connection beyond a limit is
/// closed before any work is spent on it. Kestrel's own <c>MaxConcurrentConnections</c> counts each
/// listener apart and knows no clients, so it is not used.
/// </summary>
internal sealed class ConnectionLimits(IOptions<EdgeOptions> options, ClientAddressResolver clients, ILogger<ConnectionLimits> logger)
{
    private readonly long _max = options.Value.MaxConcurrentConnections ?? long.MaxValue;
    private readonly int _maxPerClient = options.Value.MaxConnectionsPerClient ?? int.MaxValue;
    private readonly Dictionary<IPAddress, int> _perClient = [];
    private readonly Lock _lock = new();
    private long _open;
    private long _refused;
    private bool _refusing;

    /// <summary>Client connections open now (for diagnostics and tests).</summary>
    internal long Open => Interlocked.Read(ref _open);

    /// <summary>Connections closed at once for a limit (for diagnostics and tests).</summary>
    internal long Refused => Interlocked.Read(ref _refused);

    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection => RunAsync(connection, next);

    private async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var client = ClientKey((connection.RemoteEndPoint as IPEndPoint)?.Address);
        if (!TryOpen(client))
        {
            Interlocked.Increment(ref _refused);
            await connection.Transport.Input.CompleteAsync();
            await connection.Transport.Output.CompleteAsync();
            return;
        }

        try
        {
            await next(connection);
        }
        finally
        {
            Close(client);
        }
    }

    /// <summary>The address a client's connections are counted under; null: not counted (a Cloudflare peer, or no IP).</summary>
    private IPAddress? ClientKey(IPAddress? peer)
    {
        if (peer is null || (clients.HasRanges && clients.IsTrustedPeer(peer)))
        {
            return null;
        }

        if (peer.IsIPv4MappedToIPv6)
        {
            return peer.MapToIPv4();
        }

        if (peer.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> bytes = stackalloc byte[16];
            peer.TryWriteBytes(bytes, out _);
            bytes[8..].Clear();
            return new IPAddress(bytes);
        }

        return peer;
    }

    private bool TryOpen(IPAddress? client)
    {
        string? refused;
        lock (_lock)
        {
            var fromClient = client is null ? 0 : _perClient.GetValueOrDefault(client);
            if (_open >= _max)
            {
                refused = $"{_max} connections open (MaxConcurrentConnections)";
            }
            else if (fromClient >= _maxPerClient)
            {
                refused = $"{_maxPerClient} connections open from {client} (MaxConnectionsPerClient)";
            }
            else
            {
                _open++;
                if (client is not null)
                {
                    _perClient[client] = fromClient + 1;
                }

                _refusing = false;
                return true;
            }

            if (_refusing)
            {
                refused = null;
            }

            _refusing = true;
        }

        // Once per episode (until a connection is let in again): a flood must not flood the log too.
        if (refused is not null)
        {
            Log.ConnectionsRefused(logger, refused);
        }

        return false;
    }

    private void Close(IPAddress? client)
    {
        lock (_lock)
        {
            _open--;
            if (client is not null)
            {
                var left = _perClient[client] - 1;
                if (left == 0)
                {
                    _perClient.Remove(client);
                }
                else
                {
                    _perClient[client] = left;
                }
            }
        }
    }
}
