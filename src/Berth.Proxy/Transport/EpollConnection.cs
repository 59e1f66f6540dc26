using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Proxy.Transport;

/// <summary>
/// One accepted client connection on an <see cref="EpollLoop"/>. Input is received on the loop's thread
/// when epoll says the socket is readable, and like nginx a read that returns less than the buffer ends
/// the reading until the next edge: no system call that only answers "nothing yet". Output is sent
/// where the application flushes, and waits for the loop only when the socket buffer is full.
/// </summary>
internal sealed class EpollConnection : ConnectionContext, IEpollHandler,
    IConnectionIdFeature, IConnectionTransportFeature, IConnectionItemsFeature, IMemoryPoolFeature,
    IConnectionLifetimeFeature, IConnectionEndPointFeature
{
    // Kestrel's own transport asks for at least half a pool block per receive.
    private const int MinReceiveBuffer = 2048;

    private static long _lastId;

    private readonly Socket _socket;
    private readonly int _fd;
    private readonly EpollLoop _loop;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly FeatureCollection _features = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _receiveDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action _resumeReceive;
    private readonly Action _disposed;
    private readonly Lock _lock = new();
    private Task _sendDone = Task.CompletedTask;
    private ulong _token;
    private IDictionary<object, object?>? _items;

    // Loop thread only.
    private bool _peerClosed;
    private bool _receivePaused;
    private bool _receiveEnded;
    private ValueTask<FlushResult> _pendingFlush;

    // Under _lock.
    private TaskCompletionSource? _writable;
    private int _writeEvents;
    private bool _fdClosed;
    private int _closedFired;

    public EpollConnection(Socket socket, EpollLoop loop, MemoryPool<byte> pool, long maxInputBuffer, long maxOutputBuffer, Action disposed)
    {
        _disposed = disposed;
        _socket = socket;
        _fd = (int)socket.SafeHandle.DangerousGetHandle();
        _loop = loop;
        MemoryPool = pool;
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        ConnectionId = $"edge-{Interlocked.Increment(ref _lastId):x}";
        _input = new Pipe(new PipeOptions(
            pool, PipeScheduler.Inline, PipeScheduler.Inline, maxInputBuffer, maxInputBuffer / 2, pool.MaxBufferSize, useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(
            pool, PipeScheduler.Inline, PipeScheduler.Inline, maxOutputBuffer, maxOutputBuffer / 2, pool.MaxBufferSize, useSynchronizationContext: false));
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
        ConnectionClosed = _closed.Token;
        _resumeReceive = () => _loop.Post(this);

        _features.Set<IConnectionIdFeature>(this);
        _features.Set<IConnectionTransportFeature>(this);
        _features.Set<IConnectionItemsFeature>(this);
        _features.Set<IMemoryPoolFeature>(this);
        _features.Set<IConnectionLifetimeFeature>(this);
        _features.Set<IConnectionEndPointFeature>(this);
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features => _features;

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new ConnectionItems();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public MemoryPool<byte> MemoryPool { get; }

    /// <summary>Starts watching the socket and sending what the application writes.</summary>
    public void Start()
    {
        _token = _loop.Add(_fd, this);
        _sendDone = SendAsync();
    }

    public void OnEvents(uint events)
    {
        if ((events & (Libc.EPOLLOUT | Libc.EPOLLERR | Libc.EPOLLHUP)) != 0)
        {
            SignalWritable();
        }

        if ((events & (Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0)
        {
            _peerClosed = true;
        }

        // No bits: a paused receive whose flush completed, posted by _resumeReceive.
        if (events == 0 || (events & (Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0)
        {
            Receive();
        }
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _output.Reader.CancelPendingRead();
        ShutdownSocket();
    }

    public override async ValueTask DisposeAsync()
    {
        _input.Reader.Complete();
        _output.Writer.Complete();
        await _sendDone;
        await _receiveDone.Task;
        lock (_lock)
        {
            _fdClosed = true;
        }

        _loop.Remove(_fd, _token);
        _socket.Dispose();
        _disposed();
        await base.DisposeAsync();
    }

    private void Receive()
    {
        if (_receiveEnded)
        {
            return;
        }

        var writer = _input.Writer;
        if (_receivePaused)
        {
            if (!_pendingFlush.IsCompleted)
            {
                return;
            }

            _receivePaused = false;
            var flushed = _pendingFlush;
            _pendingFlush = default;
            if (!CanContinue(flushed.Result))
            {
                return;
            }
        }

        while (true)
        {
            var memory = writer.GetMemory(MinReceiveBuffer);
            var received = Libc.Recv(_fd, memory.Span);
            if (received > 0)
            {
                writer.Advance((int)received);
#pragma warning disable CA2012 // Consumed exactly once: here when complete, else after its completion callback.
                var flush = writer.FlushAsync();
#pragma warning restore CA2012
                if (flush.IsCompleted)
                {
                    if (!CanContinue(flush.Result))
                    {
                        return;
                    }
                }
                else
                {
                    // The application is behind: read again once it has taken what waits.
                    _receivePaused = true;
                    _pendingFlush = flush;
                    flush.GetAwaiter().UnsafeOnCompleted(_resumeReceive);
                    return;
                }

                if (received < memory.Length && !_peerClosed)
                {
                    // The socket is drained; epoll tells when more arrives.
                    return;
                }

                continue;
            }

            if (received == 0)
            {
                EndReceive(null);
                return;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EAGAIN)
            {
                return;
            }

            if (errno != Libc.EINTR)
            {
                EndReceive(new ConnectionResetException($"The connection was reset (errno {errno})."));
                return;
            }
        }
    }

    private bool CanContinue(FlushResult result)
    {
        if (result.IsCompleted || result.IsCanceled)
        {
            EndReceive(null);
            return false;
        }

        return true;
    }

    private void EndReceive(Exception? error)
    {
        _receiveEnded = true;
        if (error is not null)
        {
            FireClosed();
        }

        _input.Writer.Complete(error);
        _receiveDone.TrySetResult();
    }

    private async Task SendAsync()
    {
        Exception? error = null;
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                if (result.IsCanceled)
                {
                    break;
                }

                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    if (!segment.IsEmpty)
                    {
                        await SendAsync(segment);
                    }
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ConnectionResetException)
        {
            error = e;
        }
        finally
        {
            // As Kestrel's own transport: the end of the output ends the connection both ways, and the
            // receive side learns it from the hang-up.
            ShutdownSocket();
            await reader.CompleteAsync(error);
            FireClosed();
            _input.Writer.CancelPendingFlush();
        }
    }

    private ValueTask SendAsync(ReadOnlyMemory<byte> data)
    {
        // Read before sending: a writable edge after a full buffer then ends the wait at once.
        var seen = Volatile.Read(ref _writeEvents);
        return Libc.SendAll(_fd, ref data) switch
        {
            0 => ValueTask.CompletedTask,
            Libc.EAGAIN => SendWhenWritableAsync(data, seen),
            var errno => throw new ConnectionResetException($"Sending failed (errno {errno})."),
        };
    }

    private async ValueTask SendWhenWritableAsync(ReadOnlyMemory<byte> data, int seen)
    {
        Task writable;
        lock (_lock)
        {
            if (_writeEvents != seen)
            {
                writable = Task.CompletedTask;
            }
            else
            {
                _writable ??= new TaskCompletionSource();
                writable = _writable.Task;
            }
        }

        await writable;
        await SendAsync(data);
    }

    private void SignalWritable()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _writeEvents++;
            waiter = _writable;
            _writable = null;
        }

        waiter?.TrySetResult();
    }

    private void ShutdownSocket()
    {
        lock (_lock)
        {
            if (!_fdClosed)
            {
                Libc.Shutdown(_fd, Libc.SHUT_RDWR);
            }
        }
    }

    private void FireClosed()
    {
        if (Interlocked.Exchange(ref _closedFired, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static cts => cts.Cancel(), _closed, preferLocal: false);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
