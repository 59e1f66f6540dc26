using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Berth.Proxy.Origins;

/// <summary>
/// One keep-alive TCP connection to an origin with its receive buffer. Used by one request at a time;
/// between requests it sits in its <see cref="OriginPool"/>. The buffer is rented per request and
/// returned when the request ends, so idle connections hold no buffer. Silence is timed by the pool's
/// sweep from <see cref="LastActivity"/>, not by a timer per request: arming a timer twice per request
/// cost more than the rest of the bookkeeping together. The socket is .NET's own, connected by the pool.
/// </summary>
internal sealed class OriginConnection(Socket socket, TimeProvider time) : IDisposable
{
    private const int InitialBufferSize = 8 * 1024;

    // Interim answers (103 Early Hints, 100 Continue) read past before the final one; more is a flood.
    private const int MaxInterimResponses = 16;

    private readonly CancellationTokenSource _cancel = new();
    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private long _lastActivity;
    private volatile bool _busy;

    /// <summary>True when the connection served an earlier request: the origin may have closed it meanwhile.</summary>
    public bool Reused { get; set; }

    /// <summary>The last time bytes moved, or when it went back to its pool (a <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>Serving a request (not idle in its pool).</summary>
    public bool Busy => _busy;

    /// <summary>Cancelled when the origin stays silent too long, the client goes away, or the answer ends the connection.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The received bytes not consumed yet.</summary>
    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    public ReadOnlyMemory<byte> BufferedMemory => _buffer.AsMemory(_start, _end - _start);

    public void Begin()
    {
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        _start = _end = 0;
        Touch();
        _busy = true;
    }

    /// <summary>Ends a request: the buffer goes back; false when the connection cannot serve another one.</summary>
    public bool End()
    {
        var clean = _start == _end && !_cancel.IsCancellationRequested;
        ReturnBuffer();
        Touch();
        _busy = false;
        return clean;
    }

    /// <summary>
    /// Whether an idle connection can be rented: the origin has neither closed it nor sent bytes since its
    /// last answer (bytes nobody asked for would be taken for the next request's answer). A poll with no
    /// timeout asks the kernel itself, without waiting: readable means bytes, the end of the stream, or an
    /// error, and each of them makes the connection unusable.
    /// </summary>
    public bool IsQuiet()
    {
        try
        {
            return !socket.Poll(0, SelectMode.SelectRead);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Receives the origin's final response head, reading past interim (1xx) answers. Returns its length
    /// and status, or (0, 0) when the origin closed or reset the connection before sending a byte.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(int Length, int Status)> ReceiveFinalHeadAsync()
    {
        var interim = 0;
        while (true)
        {
            var length = OriginResponseHead.FindEnd(Buffered);
            if (length == 0)
            {
                int received;
                try
                {
                    received = await FillAsync(OriginResponseHead.MaxSize);
                }
                catch (SocketException) when (_start == _end && interim == 0)
                {
                    return default;
                }

                if (received == 0)
                {
                    return _start == _end && interim == 0
                        ? default
                        : throw new OriginProtocolException("the origin closed the connection inside the response head");
                }

                continue;
            }

            var status = OriginResponseHead.Status(Buffered[..length]);
            if (status == 101)
            {
                throw new OriginProtocolException("the origin switched protocols unasked");
            }

            if (status >= 200)
            {
                return (length, status);
            }

            if (++interim > MaxInterimResponses)
            {
                throw new OriginProtocolException("the origin sent more interim answers than the edge reads");
            }

            Consume(length);
        }
    }

    public void Cancel() => _cancel.Cancel();

    public void Consume(int count) => _start += count;

    /// <summary>Receives more bytes after those buffered; 0 when the origin closed the connection.</summary>
    /// <param name="maxBuffer">The buffer may grow up to this size when it is full.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> FillAsync(int maxBuffer)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else if (_buffer.Length < maxBuffer)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, maxBuffer));
                Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
            else
            {
                throw new OriginProtocolException("the response head is larger than the edge accepts");
            }
        }

        var received = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, _cancel.Token);
        _end += received;
        Touch();
        return received;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data)
    {
        // A stream socket's send completes with every byte sent; the loop only guards that promise.
        while (data.Length > 0)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, _cancel.Token);
            data = data[sent..];
        }

        Touch();
    }

    /// <summary>Cancels a request whose origin has been silent since before <paramref name="silentSince"/>.</summary>
    public void CancelIfSilent(long silentSince)
    {
        if (_busy && LastActivity < silentSince)
        {
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Closed by its request meanwhile: nothing left to cancel.
            }
        }
    }

    public void Dispose()
    {
        _busy = false;
        ReturnBuffer();
        socket.Dispose();
        _cancel.Dispose();
    }

    private void Touch() => Volatile.Write(ref _lastActivity, time.GetTimestamp());

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        _start = _end = 0;
    }
}

/// <summary>The origin broke HTTP/1.1: the client gets a 502 page and the connection is closed.</summary>
internal sealed class OriginProtocolException(string message) : Exception(message);
