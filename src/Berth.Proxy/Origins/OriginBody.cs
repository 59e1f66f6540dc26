using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Berth.Proxy.Origins;

/// <summary>
/// Passes an origin's response body to a client's writer (Kestrel's response body, or the client's
/// connection on the plain lane). Each piece received is written and flushed at once, and before waiting
/// on the origin the head is flushed too: a streamed answer reaches the client as it comes, head first.
/// </summary>
internal static class OriginBody
{
    private const int MaxChunkLine = 4 * 1024;

    // Trailers are read and dropped; an origin may not keep the edge reading them forever.
    private const int MaxTrailerLines = 64;
    private const int MaxTrailerSize = 16 * 1024;

    /// <summary>A body of known length, or one that ends when the origin closes (<paramref name="length"/> -1).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask CopyAsync(PipeWriter writer, OriginConnection connection, long length, int maxBuffer)
    {
        var remaining = length < 0 ? long.MaxValue : length;
        while (remaining > 0)
        {
            if (connection.Buffered.IsEmpty)
            {
                await FlushAsync(writer, connection);
                if (await connection.FillAsync(maxBuffer) == 0)
                {
                    if (length < 0)
                    {
                        return;
                    }

                    throw new OriginProtocolException("the origin closed the connection before the end of the body");
                }
            }

            var take = (int)Math.Min(remaining, connection.Buffered.Length);
            var result = await writer.WriteAsync(connection.BufferedMemory[..take], connection.Token);
            connection.Consume(take);
            remaining -= take;
            if (result.IsCanceled || result.IsCompleted)
            {
                throw new OperationCanceledException("the client went away");
            }
        }
    }

    /// <summary>
    /// A chunked body: its data only (<paramref name="passFraming"/> false: the writer frames it itself),
    /// or re-framed as chunks of the same sizes. Chunk extensions and trailers are not passed on.
    /// </summary>
    public static async Task CopyChunkedAsync(PipeWriter writer, OriginConnection connection, int maxBuffer, bool passFraming)
    {
        while (true)
        {
            var size = await ReadChunkSizeAsync(writer, connection);
            if (size == 0)
            {
                // Trailers are not passed on: read them up to the empty line.
                var trailerSize = 0;
                for (var lines = 0; await ReadLineAsync(writer, connection) is var length and > 0; lines++)
                {
                    trailerSize += length;
                    if (lines == MaxTrailerLines || trailerSize > MaxTrailerSize)
                    {
                        throw new OriginProtocolException("the origin's trailers are longer than the edge reads");
                    }
                }

                if (passFraming)
                {
                    writer.Write("0\r\n\r\n"u8);
                }

                return;
            }

            if (passFraming)
            {
                WriteSizeLine(writer, size);
            }

            await CopyAsync(writer, connection, size, maxBuffer);
            if (await ReadLineAsync(writer, connection) != 0)
            {
                throw new OriginProtocolException("the origin's chunk is longer than its size");
            }

            if (passFraming)
            {
                writer.Write("\r\n"u8);
            }
        }
    }

    private static void WriteSizeLine(PipeWriter writer, long size)
    {
        var span = writer.GetSpan(20);
        size.TryFormat(span, out var written, "X", System.Globalization.CultureInfo.InvariantCulture);
        "\r\n"u8.CopyTo(span[written..]);
        writer.Advance(written + 2);
    }

    /// <summary>Flushes; a client that reads nothing for the origin pool's activity timeout is given up (the pool's sweep cancels the origin connection's token).</summary>
    private static async ValueTask FlushAsync(PipeWriter writer, OriginConnection connection)
    {
        var result = await writer.FlushAsync(connection.Token);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("the client went away");
        }
    }

    private static async ValueTask<long> ReadChunkSizeAsync(PipeWriter writer, OriginConnection connection)
    {
        var lineLength = await BufferLineAsync(writer, connection);
        var line = connection.Buffered[..lineLength];
        var semicolon = line.IndexOf((byte)';');
        var digits = (semicolon < 0 ? line : line[..semicolon]).TrimEnd(" \t\r"u8);
        long size = 0;
        if (digits.IsEmpty || digits.Length > 15)
        {
            throw new OriginProtocolException("the origin sent an invalid chunk size");
        }

        foreach (var b in digits)
        {
            var value = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => throw new OriginProtocolException("the origin sent an invalid chunk size"),
            };
            size = (size * 16) + value;
        }

        connection.Consume(lineLength + 1);
        return size;
    }

    /// <summary>Consumes one line; returns its length without the line end.</summary>
    private static async ValueTask<int> ReadLineAsync(PipeWriter writer, OriginConnection connection)
    {
        var lineLength = await BufferLineAsync(writer, connection);
        var length = lineLength > 0 && connection.Buffered[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
        connection.Consume(lineLength + 1);
        return length;
    }

    /// <summary>Receives until a whole line of the chunked body is buffered; returns its length up to the <c>\n</c>.</summary>
    private static async ValueTask<int> BufferLineAsync(PipeWriter writer, OriginConnection connection)
    {
        int lineLength;
        while ((lineLength = connection.Buffered.IndexOf((byte)'\n')) < 0)
        {
            if (connection.Buffered.Length > MaxChunkLine)
            {
                throw new OriginProtocolException("the origin sent an overlong chunk line");
            }

            await FlushAsync(writer, connection);
            if (await connection.FillAsync(MaxChunkLine * 2) == 0)
            {
                throw new OriginProtocolException("the origin closed the connection inside a chunked body");
            }
        }

        return lineLength;
    }
}
