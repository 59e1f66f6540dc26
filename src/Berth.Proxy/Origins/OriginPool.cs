using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Berth.Proxy.Origins;

/// <summary>
/// The connections to one origin address, shared by every thread: every open one (for the sweep) and the
/// idle ones (last in, first out: the warmest first, so the coldest are the ones the sweep closes). At most
/// <paramref name="maxConnections"/> are open or opening at once; a request that finds none idle and no
/// room waits for one to be returned or closed, for at most <paramref name="connectTimeout"/>
/// (<see cref="OriginBusyException"/>: a 503 page).
/// </summary>
internal sealed class OriginPool(IPEndPoint endPoint, TimeSpan connectTimeout, int maxConnections, TimeProvider time)
{
    private const int MaxIdle = 512;

    private readonly Stack<OriginConnection> _idle = new();
    private readonly HashSet<OriginConnection> _open = [];
    private readonly Queue<TaskCompletionSource> _waiting = new();
    private readonly Lock _lock = new();
    // Connections open or being opened: what maxConnections bounds.
    private int _slots;

    /// <summary>Takes an idle connection that the origin has left quiet; closes those it closed or wrote to meanwhile.</summary>
    public bool TryRent(out OriginConnection connection)
    {
        while (TryTakeIdle(out connection))
        {
            if (connection.IsQuiet())
            {
                return true;
            }

            Discard(connection);
        }

        return false;
    }

    private bool TryTakeIdle(out OriginConnection connection)
    {
        lock (_lock)
        {
            return _idle.TryPop(out connection!);
        }
    }

    /// <summary>Takes back a connection that can serve another request.</summary>
    public void Return(OriginConnection connection)
    {
        connection.Reused = true;
        lock (_lock)
        {
            if (_idle.Count < MaxIdle)
            {
                _idle.Push(connection);
                WakeOne();
                return;
            }
        }

        Discard(connection);
    }

    /// <summary>Closes a connection that cannot serve another request.</summary>
    public void Discard(OriginConnection connection)
    {
        lock (_lock)
        {
            if (_open.Remove(connection))
            {
                _slots--;
                WakeOne();
            }
        }

        connection.Dispose();
    }

    /// <summary>
    /// A new connection, or, when the most allowed are open already, the first to come
    /// free (an idle one returned, or room left by one closed) within the connect timeout.
    /// </summary>
    public async ValueTask<OriginConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (!TryTakeSlot(out var wait))
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(connectTimeout);
            while (true)
            {
                try
                {
                    await wait.Task.WaitAsync(deadline.Token);
                }
                catch (OperationCanceledException) when (wait.TrySetCanceled(CancellationToken.None))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new OriginBusyException(maxConnections);
                }
                catch (OperationCanceledException)
                {
                    // Woken just as the wait ended: look once more.
                }

                if (TryRent(out var idle))
                {
                    return idle;
                }

                if (TryTakeSlot(out wait))
                {
                    break;
                }
            }
        }

        try
        {
            return await OpenAsync(cancellationToken);
        }
        catch
        {
            lock (_lock)
            {
                _slots--;
                WakeOne();
            }

            throw;
        }
    }

    private bool TryTakeSlot(out TaskCompletionSource wait)
    {
        lock (_lock)
        {
            if (_slots < maxConnections)
            {
                _slots++;
                wait = null!;
                return true;
            }

            wait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(wait);
            return false;
        }
    }

    /// <summary>Tells one waiting request (that has not given up) to look again; under the lock.</summary>
    private void WakeOne()
    {
        while (_waiting.TryDequeue(out var waiter))
        {
            if (waiter.TrySetResult())
            {
                return;
            }
        }
    }

    private async ValueTask<OriginConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connectTimeout);
            await socket.ConnectAsync(endPoint, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new OriginConnection(socket, time);
        lock (_lock)
        {
            _open.Add(connection);
        }

        return connection;
    }

    /// <summary>Cancels requests whose origin is silent since before <paramref name="silentSince"/>; closes connections idle since before <paramref name="idleSince"/>.</summary>
    public void Sweep(long silentSince, long idleSince)
    {
        List<OriginConnection>? stale = null;
        OriginConnection[] open;
        lock (_lock)
        {
            open = [.. _open];
            if (_idle.Any(connection => connection.LastActivity < idleSince))
            {
                // A stack enumerates from its top: reversed, the kept ones go back in their order.
                var keep = _idle.Where(connection => connection.LastActivity >= idleSince).Reverse().ToList();
                stale = [.. _idle.Where(connection => connection.LastActivity < idleSince)];
                _idle.Clear();
                keep.ForEach(_idle.Push);
            }

            if (stale is not null)
            {
                _open.ExceptWith(stale);
                _slots -= stale.Count;
                stale.ForEach(_ => WakeOne());
            }
        }

        stale?.ForEach(connection => connection.Dispose());

        // Outside the lock: a cancellation may run the request's continuation on this thread, and
        // that returns or discards its connection.
        foreach (var connection in open)
        {
            connection.CancelIfSilent(silentSince);
        }
    }
}

/// <summary>
/// One <see cref="OriginPool"/> per origin address, shared by every route to it and kept for the
/// process's life (addresses are those of the servers' network: a bounded set). Once a second a sweep
/// cancels requests whose origin has been silent longer than <see cref="EdgeOptions.ActivityTimeout"/>
/// and closes connections idle for a minute; an origin may drop idle ones first, and a request that
/// finds its reused connection closed is retried on a new one when that is safe. Each pool opens at most
/// <see cref="EdgeOptions.MaxConnectionsPerOrigin"/> connections at once.
/// </summary>
internal sealed class OriginPools : IDisposable
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<IPEndPoint, OriginPool> _pools = new();
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _activityTimeout;
    private readonly int _maxConnections;
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;

    public OriginPools(IOptions<EdgeOptions> options, TimeProvider time)
    {
        _connectTimeout = options.Value.ConnectTimeout;
        _activityTimeout = options.Value.ActivityTimeout;
        _maxConnections = options.Value.MaxConnectionsPerOrigin;
        _time = time;
        _sweep = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The origin addresses with a pool: how tests see whether the own origin client was used.</summary>
    public int Count => _pools.Count;

    public OriginPool For(IPEndPoint endPoint) => _pools.GetOrAdd(endPoint, static (key, pools) => new OriginPool(key, pools._connectTimeout, pools._maxConnections, pools._time), this);

    public void Dispose()
    {
        _sweep.Dispose();
        foreach (var pool in _pools.Values)
        {
            pool.Sweep(silentSince: long.MinValue, idleSince: long.MaxValue);
        }
    }

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        var silentSince = now - Timestamps.Of(_activityTimeout, _time);
        var idleSince = now - Timestamps.Of(IdleTimeout, _time);
        foreach (var pool in _pools.Values)
        {
            pool.Sweep(silentSince, idleSince);
        }
    }
}

/// <summary>Every connection to the origin stayed busy for as long as a request may wait for one: a 503 page.</summary>
internal sealed class OriginBusyException(int limit) : Exception($"all {limit} connections to the origin are busy")
{
    public int Limit { get; } = limit;
}
