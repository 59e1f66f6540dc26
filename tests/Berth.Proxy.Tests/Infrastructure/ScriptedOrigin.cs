using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Berth.Proxy.Tests.Infrastructure;

/// <summary>What a <see cref="ScriptedOrigin"/> does with one request.</summary>
/// <param name="Answer">The bytes written at once (Latin-1 text); null: stay silent.</param>
/// <param name="Late">Bytes written after the test calls <see cref="ScriptedOrigin.ReleaseLate"/> (an origin sending more than it announced, later).</param>
/// <param name="CloseInstead">Close the connection without answering (after reading the whole request).</param>
/// <param name="CloseAfter">Close the connection after the answer (an origin that ends keep-alive).</param>
internal sealed record OriginCue(string? Answer, string? Late = null, bool CloseInstead = false, bool CloseAfter = false)
{
    /// <summary>A correct answer naming the request it answers: <c>answer to GET /path</c>.</summary>
    public static OriginCue Normal(string request) => new(Ok(AnswerBody(request)));

    /// <summary>The body of <see cref="Normal"/>'s answer for a request whose line starts <paramref name="request"/>.</summary>
    public static string AnswerBody(string request)
    {
        var line = request[..Math.Max(0, request.IndexOf("\r\n", StringComparison.Ordinal))];
        var parts = line.Split(' ');
        return parts.Length >= 2 ? $"answer to {parts[0]} {parts[1]}" : "answer";
    }

    /// <summary>A 200 answer with <paramref name="body"/> and its Content-Length.</summary>
    public static string Ok(string body) => $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}";
}

/// <summary>
/// An origin that speaks raw bytes on 127.0.0.1. It records every byte it receives, per connection (so a
/// test can assert exactly what reached it, smuggled extra requests included); for each complete request
/// (a head and its Content-Length or chunked body) it records the request and writes what the test
/// scripted, including bytes a correct server never sends, early closes and late extra bytes.
/// </summary>
internal sealed class ScriptedOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<int, string, OriginCue> _cue;
    private readonly Task _accepting;
    private readonly List<MemoryStream> _received = [];
    private readonly TaskCompletionSource _releaseLate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _lateSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connections;
    private int _requests;
    private bool _lateCued;

    /// <param name="answer">The bytes to answer request number N (from 1) with; null: stay silent.</param>
    /// <param name="closeAfterAnswer">Close the connection after each answer (an origin that ends keep-alive).</param>
    public ScriptedOrigin(Func<int, string?> answer, bool closeAfterAnswer = false)
        : this((n, _) => new OriginCue(answer(n), CloseAfter: closeAfterAnswer))
    {
    }

    /// <param name="cue">What to do with request number N (from 1) whose raw text is given.</param>
    public ScriptedOrigin(Func<int, string, OriginCue> cue)
    {
        _cue = cue;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Every complete request (head and body, as received), in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Completed when the late bytes of a cue have been written.</summary>
    public Task LateSent => _lateSent.Task;

    /// <summary>Whether a cue with late bytes has been played (its bytes wait for <see cref="ReleaseLate"/>).</summary>
    public bool LateCued => Volatile.Read(ref _lateCued);

    /// <summary>Every byte received, per connection in the order they were accepted (Latin-1 text).</summary>
    public IReadOnlyList<string> ReceivedPerConnection
    {
        get
        {
            lock (_received)
            {
                return [.. _received.Select(stream => Encoding.Latin1.GetString(stream.ToArray()))];
            }
        }
    }

    /// <summary>Every byte received on every connection, concatenated in the order the connections were accepted.</summary>
    public string Received => string.Concat(ReceivedPerConnection);

    /// <summary>Lets cues with late bytes write them.</summary>
    public void ReleaseLate() => _releaseLate.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                var record = new MemoryStream();
                lock (_received)
                {
                    _received.Add(record);
                }

                connections.Add(ServeAsync(client, record));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(connections).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ServeAsync(TcpClient client, MemoryStream record)
    {
        using var _ = client;
        var stream = client.GetStream();
        var pending = new List<byte>();
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var length = RequestLength(Encoding.Latin1.GetString([.. pending]));
                if (length <= 0)
                {
                    // Incomplete (0), or framing this origin cannot follow (-1): keep recording until the peer closes.
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    lock (_received)
                    {
                        record.Write(buffer, 0, read);
                    }

                    pending.AddRange(buffer.AsSpan(0, read));
                    continue;
                }

                var request = Encoding.Latin1.GetString([.. pending.GetRange(0, length)]);
                pending.RemoveRange(0, length);
                Requests.Enqueue(request);
                var cue = _cue(Interlocked.Increment(ref _requests), request);
                if (cue.CloseInstead)
                {
                    return;
                }

                if (cue.Answer is null)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                await stream.WriteAsync(Encoding.Latin1.GetBytes(cue.Answer!), _stop.Token);
                if (cue.Late is not null)
                {
                    Volatile.Write(ref _lateCued, true);
                    await _releaseLate.Task.WaitAsync(_stop.Token);
                    await stream.WriteAsync(Encoding.Latin1.GetBytes(cue.Late), _stop.Token);
                    _lateSent.TrySetResult();
                }

                if (cue.CloseAfter)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
    }

    /// <summary>
    /// The length of the first complete request in <paramref name="text"/> (head plus its Content-Length or
    /// chunked body); 0 when incomplete, -1 when its framing cannot be followed.
    /// </summary>
    private static int RequestLength(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return 0;
        }

        var headLength = end + 4;
        var head = text[..headLength];
        if (HeaderValue(head, "Transfer-Encoding") is { } coding)
        {
            return coding.Equals("chunked", StringComparison.OrdinalIgnoreCase) ? ChunkedEnd(text, headLength) : -1;
        }

        if (HeaderValue(head, "Content-Length") is not { } value)
        {
            return headLength;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            return -1;
        }

        return text.Length >= headLength + length ? headLength + length : 0;
    }

    /// <summary>Where a chunked body starting at <paramref name="offset"/> ends (trailers included); 0 when incomplete, -1 when malformed.</summary>
    private static int ChunkedEnd(string text, int offset)
    {
        while (true)
        {
            var lineEnd = text.IndexOf("\r\n", offset, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                return 0;
            }

            var sizeText = text[offset..lineEnd];
            var semicolon = sizeText.IndexOf(';', StringComparison.Ordinal);
            if (!int.TryParse(semicolon < 0 ? sizeText : sizeText[..semicolon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size)
                || size < 0)
            {
                return -1;
            }

            offset = lineEnd + 2;
            if (size == 0)
            {
                // Trailer lines, then the empty line.
                var trailersEnd = text.IndexOf("\r\n\r\n", offset - 2, StringComparison.Ordinal);
                return trailersEnd < 0 ? 0 : trailersEnd + 4;
            }

            if (text.Length < offset + size + 2)
            {
                return 0;
            }

            if (text.Substring(offset + size, 2) != "\r\n")
            {
                return -1;
            }

            offset += size + 2;
        }
    }

    private static string? HeaderValue(string head, string name)
    {
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            if (line.Length > name.Length && line[name.Length] == ':' && line.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(name.Length + 1)..].Trim();
            }
        }

        return null;
    }
}
