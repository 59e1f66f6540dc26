using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Forwards;

/// <summary>
/// What one listener carries: public port → the server's own address and internal port, with or without
/// a PROXY protocol header naming the client.
/// </summary>
public sealed record ForwardTarget(long ForwardId, long ServerId, int PublicPort, IPEndPoint Target, ProxyProtocolVersion ProxyProtocol = ProxyProtocolVersion.Off);

/// <summary>
/// One public port: accepts connections and splices each to <see cref="ForwardTarget.Target"/>, the
/// server's address fixed by Berth (never anything a client or tenant sends). Memory is bounded: two
/// buffers of <see cref="ForwardsOptions.BufferSize"/> per connection and at most
/// <see cref="ForwardsOptions.MaxConnectionsPerForward"/> connections; more are reset at once.
/// Disposing closes the port and ends every connection it carries.
/// </summary>
internal sealed class ForwardListener : IDisposable
{
    private readonly Socket _listener;
    private readonly ForwardsOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private int _active;

    private ForwardListener(ForwardTarget target, Socket listener, ForwardsOptions options, ILogger logger)
    {
        Target = target;
        _listener = listener;
        _options = options;
        _logger = logger;
    }

    public ForwardTarget Target { get; }

    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>Binds the public port and starts accepting; throws <see cref="SocketException"/> when the port is held elsewhere.</summary>
    public static ForwardListener Open(ForwardTarget target, ForwardsOptions options, ILogger logger)
    {
        var address = options.ListenIp;
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A port closed a moment ago (connections in TIME_WAIT) can be listened on again at once.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(new IPEndPoint(address, target.PublicPort));
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var listener = new ForwardListener(target, socket, options, logger);
        _ = Task.Run(listener.AcceptLoopAsync);
        return listener;
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _listener.Dispose();
        foreach (var socket in _sockets.Keys)
        {
            Abort(socket);
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors or a connection reset while queued: wait a little instead of spinning.
                Log.AcceptFailed(_logger, Target.PublicPort, e.SocketErrorCode);
                try
                {
                    await Task.Delay(100, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            if (Interlocked.Increment(ref _active) > _options.MaxConnectionsPerForward)
            {
                Interlocked.Decrement(ref _active);
                Log.ConnectionRefusedAtLimit(_logger, Target.PublicPort, _options.MaxConnectionsPerForward);
                Abort(client);
                continue;
            }

            _ = CarryAsync(client, token);
        }
    }

    private async Task CarryAsync(Socket client, CancellationToken token)
    {
        var server = new Socket(Target.Target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        Track(client);
        Track(server);
        try
        {
            client.NoDelay = true;
            server.NoDelay = true;
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                connect.CancelAfter(_options.ConnectTimeout);
                await server.ConnectAsync(Target.Target, connect.Token);
            }

            if (Target.ProxyProtocol != ProxyProtocolVersion.Off
                && client.RemoteEndPoint is IPEndPoint from && client.LocalEndPoint is IPEndPoint to)
            {
                // Before any byte of the client's: the app reads the header first, then the client's stream.
                await server.SendAsync(ProxyProtocolHeader.Build(Target.ProxyProtocol, from, to), SocketFlags.None, token);
            }

            // Each direction ends on its own (half close), so protocols that shut down their sending side first keep working.
            await Task.WhenAll(PumpAsync(client, server, token), PumpAsync(server, client, token));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (!token.IsCancellationRequested && e is SocketException s)
            {
                Log.ConnectFailed(_logger, Target.PublicPort, Target.ServerId, s.SocketErrorCode);
            }
        }
        catch (Exception e)
        {
            Log.CarryFailed(_logger, e, Target.PublicPort);
        }
        finally
        {
            Untrack(client);
            Untrack(server);
            Interlocked.Decrement(ref _active);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(0, _options.BufferSize), SocketFlags.None, token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, token);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side broke: the whole connection ends, as it would on a direct connection.
            Abort(from);
            Abort(to);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Track(Socket socket)
    {
        _sockets[socket] = 0;
        if (_stop.IsCancellationRequested)
        {
            Abort(socket);
        }
    }

    private void Untrack(Socket socket)
    {
        _sockets.TryRemove(socket, out _);
        socket.Dispose();
    }

    /// <summary>Ends a connection with a reset: the peer learns at once, nothing lingers.</summary>
    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Not connected or already closed.
        }

        socket.Dispose();
    }
}
