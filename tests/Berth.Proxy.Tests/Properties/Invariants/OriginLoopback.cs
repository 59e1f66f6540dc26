using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Berth.Proxy.Origins;

namespace Berth.Proxy.Tests.Properties;

/// <summary>What a run of the edge's body code produced: its output, or the exception that ended it.</summary>
internal sealed record BodyRun(byte[] Output, Exception? Error);

/// <summary>
/// Real origin connections for the body code (<see cref="OriginBody"/>, <see cref="OriginForwarder"/>):
/// a socket connected over loopback, as the origin pool connects them, to a plain socket that plays the
/// origin. The origin side closes with a reset (linger 0), so thousands of runs leave no TIME_WAIT behind.
/// </summary>
internal sealed class OriginLoopback : IDisposable
{
    /// <summary>The forwarder's limit on what an origin connection buffers.</summary>
    public const int MaxBuffer = 64 * 1024;

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public OriginLoopback()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
    }

    /// <summary>
    /// The origin sends <paramref name="input"/> and closes its side; <see cref="OriginBody.CopyChunkedAsync"/>
    /// reads it as a chunked body and writes what it passes on.
    /// </summary>
    public async Task<BodyRun> CopyChunkedAsync(byte[] input, bool passFraming)
    {
        var (connection, origin) = await ConnectAsync();
        try
        {
            var sending = SendAndShutdownAsync(origin, input);
            var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
            Exception? error = null;
            try
            {
                await OriginBody.CopyChunkedAsync(pipe.Writer, connection, MaxBuffer, passFraming);
                await pipe.Writer.FlushAsync();
            }
            catch (Exception e)
            {
                error = e;
            }

            await pipe.Writer.CompleteAsync();
            var output = await ReadAllAsync(pipe.Reader);
            await sending;
            return new BodyRun(output, error);
        }
        finally
        {
            Close(connection, origin);
        }
    }

    /// <summary>
    /// <see cref="OriginForwarder.SendBodyAsync"/> sends the request body <paramref name="body"/> gives;
    /// returns what the origin received.
    /// </summary>
    public async Task<BodyRun> SendBodyAsync(PipeReader body, bool chunked)
    {
        var (connection, origin) = await ConnectAsync();
        try
        {
            var receiving = ReceiveAllAsync(origin);
            Exception? error = null;
            try
            {
                await OriginForwarder.SendBodyAsync(body, connection, chunked);
            }
            catch (Exception e)
            {
                error = e;
            }

            // The edge's side closes first here: the origin then reads up to the end.
            connection.End();
            connection.Dispose();
            return new BodyRun(await receiving, error);
        }
        finally
        {
            origin.Dispose();
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
    }

    private async Task<(OriginConnection Connection, Socket Origin)> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accepting = _listener.AcceptAsync();
        await socket.ConnectAsync((IPEndPoint)_listener.LocalEndPoint!, CancellationToken.None);
        var origin = await accepting;
        origin.LingerState = new LingerOption(true, 0);
        var connection = new OriginConnection(socket, TimeProvider.System);
        connection.Begin();
        return (connection, origin);
    }

    private static void Close(OriginConnection connection, Socket origin)
    {
        // The origin first, with a reset: neither side then waits in TIME_WAIT.
        origin.Dispose();
        connection.End();
        connection.Dispose();
    }

    private static async Task SendAndShutdownAsync(Socket origin, byte[] input)
    {
        try
        {
            var sent = 0;
            while (sent < input.Length)
            {
                sent += await origin.SendAsync(input.AsMemory(sent), SocketFlags.None);
            }

            origin.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The edge refused the body and went before taking all of it.
        }
    }

    private static async Task<byte[]> ReceiveAllAsync(Socket origin)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int count;
        while ((count = await origin.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            received.Write(buffer, 0, count);
        }

        return received.ToArray();
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        var output = new MemoryStream();
        while (true)
        {
            var read = await reader.ReadAsync();
            foreach (var segment in read.Buffer)
            {
                output.Write(segment.Span);
            }

            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                await reader.CompleteAsync();
                return output.ToArray();
            }
        }
    }
}
