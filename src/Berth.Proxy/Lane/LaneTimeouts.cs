using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;

namespace Berth.Proxy.Lane;

/// <summary>
/// Kestrel's keep-alive and request-headers timeouts for connections on the <see cref="PlainLane"/>
/// (Kestrel times only the connections it reads itself), and the wait for the first bytes of every new
/// connection (<see cref="FirstBytes"/>). One sweep a second ends the reads of those waiting too long,
/// as the origin pools time silent origins: no timer per request. A shutdown of the edge ends the wait
/// between two requests at once.
/// </summary>
internal sealed class LaneTimeouts : IDisposable
{
    private readonly HashSet<Watch> _watches = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _headersTimeout;
    private readonly long _keepAliveTimeout;
    private readonly ITimer _sweep;

    public LaneTimeouts(IOptions<EdgeOptions> options, TimeProvider time)
    {
        _time = time;
        _headersTimeout = Timestamps.Of(options.Value.RequestHeadersTimeout, time);
        _keepAliveTimeout = Timestamps.Of(options.Value.KeepAliveTimeout, time);
        _sweep = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// A connection middleware that lets a new connection on only once its client has sent something, and
    /// closes it when nothing came within <see cref="EdgeOptions.RequestHeadersTimeout"/>. Kestrel gives a
    /// new connection the whole <see cref="EdgeOptions.KeepAliveTimeout"/> (two minutes) for its first
    /// request, as between two requests: a client could hold thousands of connections that never send a
    /// byte at no cost to itself. On HTTPS listeners it runs after the handshake (which has its own timeout).
    /// </summary>
    public ConnectionDelegate FirstBytes(ConnectionDelegate next) => connection => FirstBytesAsync(connection, next);

    /// <summary>Starts timing <paramref name="connection"/>'s waits for its client; dispose when the lane leaves it.</summary>
    public Watch Start(ConnectionContext connection) => Start(connection, Watch.WaitingForRequest);

    private async Task FirstBytesAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var input = connection.Transport.Input;
        ReadResult read;
        using (Start(connection, Watch.WaitingFirst))
        {
            try
            {
                read = await input.ReadAsync();
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
            {
                // The client reset or the connection was aborted.
                read = new ReadResult(default, isCanceled: true, isCompleted: true);
            }
        }

        if (read.IsCanceled || read.Buffer.IsEmpty)
        {
            // Timed out, shut down, or the client left without a word: no request to answer.
            await input.CompleteAsync();
            await connection.Transport.Output.CompleteAsync();
            return;
        }

        // Nothing consumed or examined: the next reader gets these bytes at once.
        input.AdvanceTo(read.Buffer.Start);
        await next(connection);
    }

    private Watch Start(ConnectionContext connection, int state)
    {
        var watch = new Watch(this, connection, state);
        lock (_lock)
        {
            _watches.Add(watch);
        }

        return watch;
    }

    public void Dispose() => _sweep.Dispose();

    private void Sweep()
    {
        Watch[] watches;
        lock (_lock)
        {
            watches = [.. _watches];
        }

        var now = _time.GetTimestamp();
        foreach (var watch in watches)
        {
            watch.EndIfLate(now, _headersTimeout, _keepAliveTimeout);
        }
    }

    private void Remove(Watch watch)
    {
        lock (_lock)
        {
            _watches.Remove(watch);
        }
    }

    /// <summary>One connection's wait: for its first bytes, the first byte of a request (keep-alive) or the rest of its head.</summary>
    internal sealed class Watch : IDisposable
    {
        internal const int WaitingForRequest = 1;
        internal const int WaitingFirst = 3;
        private const int Busy = 0;
        private const int WaitingInHead = 2;

        private readonly LaneTimeouts _owner;
        private readonly ConnectionContext _connection;
        private readonly CancellationTokenRegistration _shutdown;
        private readonly IConnectionLifetimeNotificationFeature? _lifetime;
        private readonly Lock _ending = new();
        private int _state;
        private long _since;
        private int _disposed;

        public Watch(LaneTimeouts owner, ConnectionContext connection, int state)
        {
            _owner = owner;
            _connection = connection;
            _since = owner._time.GetTimestamp();
            _state = state;
            _lifetime = connection.Features.Get<IConnectionLifetimeNotificationFeature>();
            if (_lifetime is not null)
            {
                _shutdown = _lifetime.ConnectionClosedRequested.UnsafeRegister(
                    static state => ((Watch)state!).EndIfWaitingForRequest(), this);
            }
        }

        /// <summary>The edge is shutting down: the connection ends before its next request.</summary>
        public bool ShutdownRequested => _lifetime?.ConnectionClosedRequested.IsCancellationRequested == true;

        /// <summary>The client is to send (more of) a request: the clock starts, unless it already runs for this head.</summary>
        public void Waiting(bool inHead)
        {
            var state = inHead ? WaitingInHead : WaitingForRequest;
            if (Volatile.Read(ref _state) != state)
            {
                Volatile.Write(ref _since, _owner._time.GetTimestamp());
                Volatile.Write(ref _state, state);
            }
        }

        /// <summary>A request is being answered: no client timeout applies (the origin's silence is timed by its pool).</summary>
        public void Working() => Volatile.Write(ref _state, Busy);

        public void Dispose()
        {
            // Under the lock: once disposed, no sweep cancels a read of whoever reads the connection next.
            lock (_ending)
            {
                if (Interlocked.Exchange(ref _disposed, 1) != 0)
                {
                    return;
                }
            }

            _shutdown.Dispose();
            _owner.Remove(this);
        }

        internal void EndIfLate(long now, long headersTimeout, long keepAliveTimeout)
        {
            var state = Volatile.Read(ref _state);
            var limit = state switch
            {
                WaitingForRequest => keepAliveTimeout,
                WaitingInHead or WaitingFirst => headersTimeout,
                _ => long.MaxValue,
            };
            if (now - Volatile.Read(ref _since) > limit)
            {
                lock (_ending)
                {
                    if (Volatile.Read(ref _state) == state && Volatile.Read(ref _disposed) == 0)
                    {
                        _connection.Transport.Input.CancelPendingRead();
                    }
                }
            }
        }

        private void EndIfWaitingForRequest()
        {
            lock (_ending)
            {
                if (Volatile.Read(ref _state) is WaitingForRequest or WaitingFirst && Volatile.Read(ref _disposed) == 0)
                {
                    _connection.Transport.Input.CancelPendingRead();
                }
            }
        }
    }
}
