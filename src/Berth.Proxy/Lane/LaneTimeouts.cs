using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;

namespace Berth.Proxy.Lane;

/// <summary>
/// Kestrel's keep-alive and request-headers timeouts for connections on the <see cref="PlainLane"/>
/// (Kestrel times only the connections it reads itself). One sweep a second ends the reads of those
/// waiting too long, as the origin pools time silent origins: no timer per request. A shutdown of the
/// edge ends the wait between two requests at once.
/// </summary>
internal sealed class LaneTimeouts : IDisposable
{
    private readonly HashSet<Watch> _watches = [];
    private readonly Lock _lock = new();
    private readonly long _headersTimeout;
    private readonly long _keepAliveTimeout;
    private readonly Timer _sweep;

    public LaneTimeouts(IOptions<EdgeOptions> options)
    {
        _headersTimeout = (long)options.Value.RequestHeadersTimeout.TotalMilliseconds;
        _keepAliveTimeout = (long)options.Value.KeepAliveTimeout.TotalMilliseconds;
        _sweep = new Timer(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Starts timing <paramref name="connection"/>'s waits for its client; dispose when the lane leaves it.</summary>
    public Watch Start(ConnectionContext connection)
    {
        var watch = new Watch(this, connection);
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

        var now = Environment.TickCount64;
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

    /// <summary>One connection's wait: for the first byte of a request (keep-alive) or the rest of its head.</summary>
    internal sealed class Watch : IDisposable
    {
        private const int Busy = 0;
        private const int WaitingForRequest = 1;
        private const int WaitingInHead = 2;

        private readonly LaneTimeouts _owner;
        private readonly ConnectionContext _connection;
        private readonly CancellationTokenRegistration _shutdown;
        private readonly IConnectionLifetimeNotificationFeature? _lifetime;
        private int _state;
        private long _since;
        private int _disposed;

        public Watch(LaneTimeouts owner, ConnectionContext connection)
        {
            _owner = owner;
            _connection = connection;
            _since = Environment.TickCount64;
            _state = WaitingForRequest;
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
                Volatile.Write(ref _since, Environment.TickCount64);
                Volatile.Write(ref _state, state);
            }
        }

        /// <summary>A request is being answered: no client timeout applies (the origin's silence is timed by its pool).</summary>
        public void Working() => Volatile.Write(ref _state, Busy);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _shutdown.Dispose();
                _owner.Remove(this);
            }
        }

        internal void EndIfLate(long now, long headersTimeout, long keepAliveTimeout)
        {
            var state = Volatile.Read(ref _state);
            var limit = state switch
            {
                WaitingForRequest => keepAliveTimeout,
                WaitingInHead => headersTimeout,
                _ => long.MaxValue,
            };
            if (now - Volatile.Read(ref _since) > limit && Volatile.Read(ref _state) == state && Volatile.Read(ref _disposed) == 0)
            {
                _connection.Transport.Input.CancelPendingRead();
            }
        }

        private void EndIfWaitingForRequest()
        {
            if (Volatile.Read(ref _state) == WaitingForRequest && Volatile.Read(ref _disposed) == 0)
            {
                _connection.Transport.Input.CancelPendingRead();
            }
        }
    }
}
