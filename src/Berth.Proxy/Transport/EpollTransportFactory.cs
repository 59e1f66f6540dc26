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

/// <summary>
/// The accept loop of one listener. An accept that fails because the process or the machine is out of
/// descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) fails again at once, since the connection stays
/// in the backlog: retrying without a pause would spin a core and flood the log while the edge most
/// needs both. Such failures pause the loop (10 ms, doubling up to 1 s) and are logged once per episode;
/// a client that left before it was accepted is skipped at once.
/// </summary>
internal sealed class AcceptBackoff(TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(1);

    private int _failures;

    /// <summary>The next accepted socket; null when the listener was closed.</summary>
    public async ValueTask<Socket?> AcceptAsync(Func<CancellationToken, ValueTask<Socket>> accept, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var accepted = await accept(cancellationToken);
                if (_failures > 0)
                {
                    Log.AcceptRecovered(logger, _failures);
                    _failures = 0;
                }

                return accepted;
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.Interrupted)
            {
                // The client went away before it was accepted: wait for the next one.
            }
            catch (SocketException e)
            {
                if (_failures++ == 0)
                {
                    Log.AcceptFailing(logger, $"{e.SocketErrorCode}: {e.Message}");
                }

                var pause = TimeSpan.FromTicks(Math.Min(LongestPause.Ticks, FirstPause.Ticks << Math.Min(_failures - 1, 10)));
                try
                {
                    await Task.Delay(pause, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }
    }
}
