using System.Net.WebSockets;
using Berth.Docker;

namespace Berth.Core.Terminal;

/// <summary>
/// One shell in one server, outliving the WebSocket it is shown through for the grace period.
/// Output is read from the exec only as fast as the attached socket takes it (the send is awaited
/// before the next read; while no socket is attached nothing is read), so a flood with a slow or
/// paused browser fills the kernel's buffers and stops the process, never Berth's memory. What was
/// read last is kept in a fixed ring and replayed to a browser that comes back.
/// </summary>
public sealed class TerminalSession : IDisposable
{
    private const int ChunkBytes = 16 * 1024;
    private static readonly TimeSpan EventSendTimeout = TimeSpan.FromSeconds(2);

    private readonly InteractiveExec _exec;
    private readonly ReplayBuffer _replay;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _ended = new();
    private readonly object _gate = new();
    private readonly TaskCompletionSource<string> _endReason = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebSocket? _socket;
    private long _lastActivityTicks;
    private long _bytesSent;

    internal TerminalSession(string id, long userId, long serverId, long loginSessionId, InteractiveExec exec, int replayBytes, TimeProvider time)
    {
        Id = id;
        UserId = userId;
        ServerId = serverId;
        LoginSessionId = loginSessionId;
        _exec = exec;
        _replay = new ReplayBuffer(replayBytes);
        _time = time;
        Touch();
        DetachedSince = time.GetUtcNow();
    }

    public string Id { get; }

    public long UserId { get; }

    public long ServerId { get; }

    /// <summary>The panel session (login) it was opened in: ending that session ends the terminal.</summary>
    public long LoginSessionId { get; }

    /// <summary>When output or input last went through.</summary>
    public DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    /// <summary>Output bytes sent to browsers so far (the replay not counted).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Since when no browser is attached; null while one is.</summary>
    public DateTimeOffset? DetachedSince { get; private set; }

    /// <summary>Completes with the reason once the session has ended (the shell is being or has been killed).</summary>
    public Task<string> Ended => _endReason.Task;

    internal CancellationToken EndedToken => _ended.Token;

    internal InteractiveExec Exec => _exec;

    /// <summary>
    /// Shows the session through <paramref name="socket"/> until that socket closes or the session
    /// ends: the session id first, then (when <paramref name="replay"/>) the recent output, then live
    /// output. A socket attached earlier is dropped.
    /// </summary>
    public async Task AttachAsync(WebSocket socket, bool replay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        WebSocket? previous;
        lock (_gate)
        {
            previous = _socket;
        }

        // A send blocked on the old socket (a paused browser) holds the send lock: aborting it lets go.
        previous?.Abort();
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            if (_endReason.Task.IsCompleted)
            {
                return;
            }

            await socket.SendAsync(TerminalEvents.Session(Id), WebSocketMessageType.Text, true, cancellationToken);
            if (replay)
            {
                var bytes = _replay.Snapshot();
                for (var offset = 0; offset < bytes.Length; offset += ChunkBytes)
                {
                    var count = Math.Min(ChunkBytes, bytes.Length - offset);
                    await socket.SendAsync(bytes.AsMemory(offset, count), WebSocketMessageType.Binary, true, cancellationToken);
                }
            }

            lock (_gate)
            {
                _socket = socket;
                DetachedSince = null;
                _attached.TrySetResult();
            }
        }
        finally
        {
            _sendLock.Release();
        }

        try
        {
            await ReceiveAsync(socket, cancellationToken);
        }
        finally
        {
            lock (_gate)
            {
                if (_socket == socket)
                {
                    _socket = null;
                    DetachedSince = _time.GetUtcNow();
                    _attached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
    }

    /// <summary>Ends the session with <paramref name="reason"/>: the browser is told, its socket closed. Idempotent.</summary>
    internal async Task EndAsync(string reason, byte[]? lastEvent = null)
    {
        if (!_endReason.TrySetResult(reason))
        {
            return;
        }

        WebSocket? socket;
        lock (_gate)
        {
            socket = _socket;
            _socket = null;
        }

        if (socket is not null)
        {
            await SayGoodbyeAsync(socket, lastEvent ?? TerminalEvents.Closed(reason), reason);
        }

        await _ended.CancelAsync();
    }

    private async Task SayGoodbyeAsync(WebSocket socket, byte[] message, string reason)
    {
        using var timeout = new CancellationTokenSource(EventSendTimeout, _time);
        try
        {
            // A send still blocked on a paused browser holds the lock: then the socket is simply aborted.
            if (await _sendLock.WaitAsync(EventSendTimeout, timeout.Token))
            {
                try
                {
                    await socket.SendAsync(message, WebSocketMessageType.Text, true, timeout.Token);
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, Truncate(reason), timeout.Token);

                    // The browser answers the close; aborting at once could drop the frames still on their way.
                    _ = AbortLaterAsync(socket);
                    return;
                }
                finally
                {
                    _sendLock.Release();
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        socket.Abort();
    }

    private async Task AbortLaterAsync(WebSocket socket)
    {
        await Task.Delay(TimeSpan.FromSeconds(5), _time, CancellationToken.None);
        socket.Abort();
    }

    /// <summary>A close frame's reason is at most 123 bytes.</summary>
    private static string Truncate(string reason) => System.Text.Encoding.UTF8.GetByteCount(reason) <= 123 ? reason : "closed";

    /// <summary>
    /// Copies the exec's output to whichever socket is attached, one chunk at a time; returns when the
    /// shell closed its terminal or the session ended.
    /// </summary>
    internal async Task PumpOutputAsync()
    {
        var buffer = new byte[ChunkBytes];
        var token = _ended.Token;
        while (!token.IsCancellationRequested)
        {
            var count = await _exec.ReadAsync(buffer, token);
            if (count == 0)
            {
                return;
            }

            Touch();
            while (true)
            {
                Task attached;
                lock (_gate)
                {
                    attached = _attached.Task;
                }

                await attached.WaitAsync(token);
                await _sendLock.WaitAsync(token);
                try
                {
                    WebSocket? socket;
                    lock (_gate)
                    {
                        socket = _socket;
                    }

                    if (socket is null)
                    {
                        continue;
                    }

                    // Kept before it is sent: if the send fails, the browser that comes back gets it in the replay.
                    _replay.Append(buffer.AsSpan(0, count));
                    try
                    {
                        await socket.SendAsync(buffer.AsMemory(0, count), WebSocketMessageType.Binary, true, token);
                        Interlocked.Add(ref _bytesSent, count);
                    }
                    catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException && !token.IsCancellationRequested)
                    {
                        Detach(socket);
                    }

                    break;
                }
                finally
                {
                    _sendLock.Release();
                }
            }
        }
    }

    private void Detach(WebSocket socket)
    {
        lock (_gate)
        {
            if (_socket == socket)
            {
                _socket = null;
                DetachedSince = _time.GetUtcNow();
                _attached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        socket.Abort();
    }

    private async Task ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        // Not ended with the session: the goodbye closes the socket, and the browser's answer ends this loop.
        var token = cancellationToken;
        var buffer = new byte[ChunkBytes];
        var control = new byte[TerminalControl.MaxBytes];
        var controlLength = 0;
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    Touch();
                    await _writeLock.WaitAsync(token);
                    try
                    {
                        await _exec.WriteAsync(buffer, result.Count, token);
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException || DockerEngine.IsEngineFailure(e))
                    {
                        // The shell is gone: keystrokes are dropped; its end closes this socket with the reason.
                    }
                    finally
                    {
                        _writeLock.Release();
                    }

                    continue;
                }

                if (controlLength + result.Count > control.Length)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, TerminalEndReasons.TooLarge, token);
                    return;
                }

                buffer.AsSpan(0, result.Count).CopyTo(control.AsSpan(controlLength));
                controlLength += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var message = TerminalControl.Parse(control.AsSpan(0, controlLength));
                controlLength = 0;
                switch (message.Kind)
                {
                    case TerminalControlKind.Resize:
                        try
                        {
                            await _exec.ResizeAsync(message.Columns, message.Rows, token);
                        }
                        catch (Exception e) when (DockerEngine.IsEngineFailure(e))
                        {
                            // The shell is gone; its end closes this socket with the reason.
                        }

                        break;
                    case TerminalControlKind.Close:
                        await EndAsync(TerminalEndReasons.Closed);
                        return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException || DockerEngine.IsEngineFailure(e))
        {
            // The browser went away, the session ended or the exec is gone: the caller decides what follows.
        }
    }

    public void Dispose()
    {
        _ended.Dispose();
        _sendLock.Dispose();
        _writeLock.Dispose();
    }

    private void Touch() => Interlocked.Exchange(ref _lastActivityTicks, _time.GetUtcNow().UtcTicks);
}
