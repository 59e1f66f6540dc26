using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Proxy.Transport;

/// <summary>
/// Kestrel's transport for the edge's TCP listeners on Linux: one <see cref="EpollLoop"/> per core, each
/// accepted connection on one of them in turn. Why the edge has its own: see the folder's README.
/// </summary>
internal sealed class EpollTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector, IDisposable
{
    private const int Backlog = 512;

    // Kestrel's defaults for its own transport (KestrelServerLimits.MaxRequestBufferSize, MaxResponseBufferSize).
    private const long MaxInputBuffer = 1024 * 1024;
    private const long MaxOutputBuffer = 64 * 1024;

    private readonly EpollLoops _loops;
    private readonly MemoryPool<byte> _pool;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _open;

    public EpollTransportFactory(
        EpollLoops loops, IMemoryPoolFactory<byte>? pools = null, TimeProvider? time = null, ILogger<EpollTransportFactory>? logger = null)
    {
        _loops = loops;
        _pool = pools?.Create() ?? MemoryPool<byte>.Shared;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<EpollTransportFactory>.Instance;
    }

    /// <summary>Accepted connections not disposed yet.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var address = (IPEndPoint)endpoint;
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(address);
            socket.Listen(Backlog);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(e.Message, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return ValueTask.FromResult<IConnectionListener>(new Listener(this, socket));
    }

    public void Dispose() => _pool.Dispose();

    private EpollConnection Accepted(Socket socket)
    {
        socket.NoDelay = true;
        socket.Blocking = false;
        Interlocked.Increment(ref _open);
        var connection = new EpollConnection(socket, _loops.Pick(), _pool, MaxInputBuffer, MaxOutputBuffer, () => Interlocked.Decrement(ref _open));
        connection.Start();
        return connection;
    }

    private sealed class Listener(EpollTransportFactory factory, Socket socket) : IConnectionListener
    {
        private readonly AcceptBackoff _backoff = new(factory._time, factory._logger);

        public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            var accepted = await _backoff.AcceptAsync(socket.AcceptAsync, cancellationToken);
            return accepted is null ? null : factory.Accepted(accepted);
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
