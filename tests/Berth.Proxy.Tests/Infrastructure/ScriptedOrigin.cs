using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Berth.Proxy.Tests.Infrastructure;

/// <summary>
/// An origin that speaks raw bytes on 127.0.0.1: for each request it reads the head (and a
/// Content-Length body), records it, and writes the bytes the test scripted, including ones a correct
/// server never sends. Counts the connections it accepted.
/// </summary>
internal sealed class ScriptedOrigin : IAsyncDisposable
{
    /// <summary>An answer that closes the connection without sending a byte.</summary>
    public const string CloseWithoutAnswer = "\0close";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<int, string?> _answer;
    private readonly Func<int, string?>? _afterAnswer;
    private readonly bool _closeAfterAnswer;
    private readonly Task _accepting;
    private int _connections;
    private int _requests;

    /// <param name="answer">The bytes to answer request number N (from 1) with; null: stay silent.</param>
    /// <param name="closeAfterAnswer">Close the connection after each answer (an origin that ends keep-alive).</param>
    /// <param name="afterAnswer">Bytes written on their own once answer N is on its way (bytes nobody asked for); null: none.</param>
    public ScriptedOrigin(Func<int, string?> answer, bool closeAfterAnswer = false, Func<int, string?>? afterAnswer = null)
    {
        _answer = answer;
        _afterAnswer = afterAnswer;
        _closeAfterAnswer = closeAfterAnswer;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Every request head (and body) received, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Released by the test to let the origin write the bytes of <c>afterAnswer</c>.</summary>
    public SemaphoreSlim SendUnsolicited { get; } = new(0);

    /// <summary>Released each time the bytes of <c>afterAnswer</c> have been written.</summary>
    public SemaphoreSlim AfterAnswerWritten { get; } = new(0);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        SendUnsolicited.Dispose();
        AfterAnswerWritten.Dispose();
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
                connections.Add(ServeAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(connections).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var received = new List<byte>();
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var text = Encoding.Latin1.GetString([.. received]);
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0)
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    received.AddRange(buffer.AsSpan(0, read));
                    continue;
                }

                var head = text[..(end + 4)];
                var length = ContentLength(head);
                while (received.Count < head.Length + length)
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    received.AddRange(buffer.AsSpan(0, read));
                }

                Requests.Enqueue(Encoding.Latin1.GetString([.. received.GetRange(0, head.Length + length)]));
                received.RemoveRange(0, head.Length + length);
                var number = Interlocked.Increment(ref _requests);
                var answer = _answer(number);
                if (answer is null)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                if (answer == CloseWithoutAnswer)
                {
                    return;
                }

                await stream.WriteAsync(Encoding.Latin1.GetBytes(answer!), _stop.Token);
                if (_afterAnswer?.Invoke(number) is { } unsolicited)
                {
                    // Written when the test says so (after its client has the answer): the edge has then
                    // read the answer whole, and these bytes wait on an idle pooled connection.
                    await SendUnsolicited.WaitAsync(_stop.Token);
                    await stream.WriteAsync(Encoding.Latin1.GetBytes(unsolicited), _stop.Token);
                    AfterAnswerWritten.Release();
                }

                if (_closeAfterAnswer)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
    }

    private static int ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
