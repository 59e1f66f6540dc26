using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace Berth.Proxy.Transport;

/// <summary>
/// A TCP socket whose readiness an <see cref="EpollLoop"/> tells, for the edge's origin connections.
/// Used by one request at a time: one operation waits at a time. Like the client side, a receive that
/// returned less than its buffer marks the socket drained, so the next receive waits for epoll first
/// instead of asking the kernel for what is not there yet.
/// </summary>
internal sealed class EpollSocket : IEpollHandler, IValueTaskSource, IDisposable
{
    private const uint InputBits = Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR;
    private const uint OutputBits = Libc.EPOLLOUT | Libc.EPOLLHUP | Libc.EPOLLERR;

    private readonly Socket _socket;
    private readonly int _fd;
    private readonly EpollLoop _loop;
    private readonly Lock _lock = new();
    private ManualResetValueTaskSourceCore<bool> _wait;
    private CancellationTokenRegistration _waitCancellation;
    private ulong _token;
    private bool _added;

    // Under _lock: bumped by the loop, read by the operation.
    private int _inputEvents;
    private int _outputEvents;
    private uint _waitingFor;
    private bool _hangUp;

    // The operation's own.
    private bool _mayHaveInput;
    private int _inputEventsWhenDrained;

    public EpollSocket(AddressFamily family, EpollLoop loop)
    {
        _socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
        _fd = (int)_socket.SafeHandle.DangerousGetHandle();
        _loop = loop;
    }

    /// <summary>The index of the loop that watches this socket.</summary>
    public int LoopIndex => _loop.Index;

    public async ValueTask ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        try
        {
            _socket.Connect(endPoint);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            // Completes in the background: epoll says writable (connected) or hang-up (refused).
        }

        // Watched only once connecting: a socket not yet connecting reads as hung up.
        _token = _loop.Add(_fd, this);
        _added = true;
        await WaitAsync(Libc.EPOLLOUT, 0, cancellationToken);
        var error = PendingError();
        if (error != 0)
        {
            throw Failure(error);
        }

        lock (_lock)
        {
            _hangUp = false;
        }
    }

    /// <summary>Receives into <paramref name="buffer"/>; 0 when the origin closed the connection.</summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (_mayHaveInput)
        {
            var seen = Volatile.Read(ref _inputEvents);
            var received = Libc.Recv(_fd, buffer.Span);
            if (received > 0)
            {
                if (received < buffer.Length && !Volatile.Read(ref _hangUp))
                {
                    Drained(seen);
                }

                return ValueTask.FromResult((int)received);
            }

            if (received == 0)
            {
                return ValueTask.FromResult(0);
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EAGAIN)
            {
                Drained(seen);
            }
            else if (errno != Libc.EINTR)
            {
                return ValueTask.FromException<int>(Failure(errno));
            }
        }

        return ReceiveWhenReadableAsync(buffer, cancellationToken);
    }

    /// <summary>
    /// Whether nothing is waiting to be read: no byte, no end of stream. A non-blocking peek asks the
    /// kernel itself: the loop's input events may lag behind what has arrived (another thread tells them).
    /// </summary>
    public unsafe bool IsQuiet()
    {
        byte peeked;
        var received = Libc.Recv(_fd, &peeked, 1, Libc.MSG_PEEK | Libc.MSG_DONTWAIT);
        return received < 0 && Marshal.GetLastPInvokeError() == Libc.EAGAIN;
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // Read before sending: a writable edge after a full buffer then ends the wait at once.
        var seen = Volatile.Read(ref _outputEvents);
        return Libc.SendAll(_fd, ref data) switch
        {
            0 => ValueTask.CompletedTask,
            Libc.EAGAIN => SendWhenWritableAsync(data, seen, cancellationToken),
            var errno => ValueTask.FromException(Failure(errno)),
        };
    }

    public void OnEvents(uint events)
    {
        var wake = false;
        lock (_lock)
        {
            if ((events & InputBits) != 0)
            {
                _inputEvents++;
            }

            if ((events & OutputBits) != 0)
            {
                _outputEvents++;
            }

            if ((events & (Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0)
            {
                _hangUp = true;
            }

            if (_waitingFor != 0 && (events & (_waitingFor == Libc.EPOLLIN ? InputBits : OutputBits)) != 0)
            {
                _waitingFor = 0;
                wake = true;
            }
        }

        if (wake)
        {
            _waitCancellation.Unregister();
            _wait.SetResult(true);
        }
    }

    public void Dispose()
    {
        if (_added)
        {
            _loop.Remove(_fd, _token);
        }

        _socket.Dispose();
    }

    void IValueTaskSource.GetResult(short token) => _wait.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _wait.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wait.OnCompleted(continuation, state, token, flags);

    private static SocketException Failure(int errno) => new(errno switch
    {
        113 => (int)SocketError.HostUnreachable,
        101 => (int)SocketError.NetworkUnreachable,
        104 => (int)SocketError.ConnectionReset,
        32 => (int)SocketError.Shutdown,
        111 => (int)SocketError.ConnectionRefused,
        110 => (int)SocketError.TimedOut,
        _ => (int)SocketError.SocketError,
    });

    private void Drained(int seen)
    {
        _mayHaveInput = false;
        _inputEventsWhenDrained = seen;
    }

    private async ValueTask<int> ReceiveWhenReadableAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await WaitAsync(Libc.EPOLLIN, _inputEventsWhenDrained, cancellationToken);
        _mayHaveInput = true;
        return await ReceiveAsync(buffer, cancellationToken);
    }

    private async ValueTask SendWhenWritableAsync(ReadOnlyMemory<byte> data, int seen, CancellationToken cancellationToken)
    {
        await WaitAsync(Libc.EPOLLOUT, seen, cancellationToken);
        await SendAsync(data, cancellationToken);
    }

    /// <summary>Completes once the loop has told of an event of the kind newer than <paramref name="seen"/>, or at a hang-up.</summary>
    private ValueTask WaitAsync(uint kind, int seen, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if ((kind == Libc.EPOLLIN ? _inputEvents : _outputEvents) != seen || _hangUp)
            {
                return ValueTask.CompletedTask;
            }

            _wait.Reset();
            _waitingFor = kind;
        }

        if (cancellationToken.CanBeCanceled)
        {
            _waitCancellation = cancellationToken.UnsafeRegister(static state => ((EpollSocket)state!).CancelWait(), this);
        }

        return new ValueTask(this, _wait.Version);
    }

    private void CancelWait()
    {
        lock (_lock)
        {
            if (_waitingFor == 0)
            {
                return;
            }

            _waitingFor = 0;
        }

        _wait.SetException(new OperationCanceledException("the wait for the origin was cancelled"));
    }

    private unsafe int PendingError()
    {
        int error = 0, length = sizeof(int);
        const int SolSocket = 1, SoError = 4;
        return Libc.GetSockOpt(_fd, SolSocket, SoError, &error, &length) == 0 ? error : Marshal.GetLastPInvokeError();
    }
}
