using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Proxy;

/// <summary>
/// Kestrel's socket transport for <see cref="EdgeHost"/>'s TCP listeners with one change: the accept loop
/// pauses while accepting fails for want of descriptors or memory (<see cref="AcceptBackoff"/>). Kestrel's
/// own listener takes every failed accept for a client that left while in the backlog and tries again at
/// once, so on EMFILE it spins a core (with a Debug line per try) while the connection stays in the
/// backlog. Everything after the accept is Kestrel's: each socket becomes its own socket connection
/// (<see cref="SocketConnectionContextFactory"/>) with <see cref="SocketTransportOptions"/>' buffers,
/// I/O queues and scheduling; binding and the backlog are done as Kestrel's listener does them.
/// </summary>
internal sealed class BackoffSocketTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector, IDisposable
{
    private readonly SocketTransportOptions _options;
    private readonly SocketConnectionContextFactory _connections;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _accepted;

    public BackoffSocketTransportFactory(IOptions<SocketTransportOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options.Value;
        _time = time;
        _logger = loggers.CreateLogger<BackoffSocketTransportFactory>();
        var connections = new SocketConnectionFactoryOptions
        {
            IOQueueCount = _options.IOQueueCount,
            WaitForDataBeforeAllocatingBuffer = _options.WaitForDataBeforeAllocatingBuffer,
            MaxReadBufferSize = _options.MaxReadBufferSize,
            MaxWriteBufferSize = _options.MaxWriteBufferSize,
            UnsafePreferInlineScheduling = _options.UnsafePreferInlineScheduling,
        };
        _connections = new SocketConnectionContextFactory(connections, loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
    }

    /// <summary>Connections accepted over all listeners (for tests).</summary>
    internal long Accepted => Interlocked.Read(ref _accepted);

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        Socket socket;
        try
        {
            socket = _options.CreateBoundListenSocket(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException(e.Message, e);
        }

        try
        {
            socket.Listen(_options.Backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return ValueTask.FromResult<IConnectionListener>(new Listener(this, socket));
    }

    public void Dispose() => _connections.Dispose();

    private sealed class Listener(BackoffSocketTransportFactory factory, Socket socket) : IConnectionListener
    {
        private readonly AcceptBackoff _backoff = new(factory._time, factory._logger);

        public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            var accepted = await _backoff.AcceptAsync(socket.AcceptAsync, cancellationToken);
            if (accepted is null)
            {
                return null;
            }

            Interlocked.Increment(ref factory._accepted);
            accepted.NoDelay = factory._options.NoDelay;
            return factory._connections.Create(accepted);
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
