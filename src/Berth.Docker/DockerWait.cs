using System.Net;
using System.Net.Sockets;
using Docker.DotNet;

namespace Berth.Docker;

/// <summary>Wait strategies: poll an engine until it is ready, with a deadline.</summary>
public static class DockerWait
{
    /// <summary>Between connection attempts while the port is still closed: a refused connect costs next to nothing.</summary>
    private static readonly TimeSpan ConnectInterval = TimeSpan.FromMilliseconds(25);

    /// <summary>Between pings once the port is open (a failed ping costs a TLS handshake).</summary>
    private static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Returns once the engine answers a ping; throws <see cref="TimeoutException"/> (carrying the
    /// last error) when it has not answered within <paramref name="timeout"/>. With
    /// <paramref name="listener"/>, a plain TCP connect probes the engine's port first, so that no
    /// HTTP client or TLS handshake is spent before something listens there. dockerd binds its
    /// listeners before it finishes loading, and a ping sent then is answered as soon as it
    /// serves: the ping itself is the last step of the wait.
    /// </summary>
    public static async Task UntilEngineAnswersAsync(IDockerClient client, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken, IPEndPoint? listener = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        Exception? last = null;
        if (listener is not null)
        {
            while (!await AcceptsAsync(listener, cancellationToken))
            {
                if (time.GetTimestamp() >= deadline)
                {
                    throw new TimeoutException($"Nothing listened on {listener} within {timeout.TotalSeconds:0.#} s.");
                }

                await Task.Delay(ConnectInterval, time, cancellationToken);
            }
        }

        while (true)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(AttemptTimeout);
            try
            {
                await client.System.PingAsync(attempt.Token);
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                // Refused connections, TLS failures while the engine loads its certificates, timeouts: try again.
                last = e;
            }

            if (time.GetTimestamp() >= deadline)
            {
                throw new TimeoutException($"The Docker engine did not answer within {timeout.TotalSeconds:0.#} s: {last?.Message}", last);
            }

            await Task.Delay(PingInterval, time, cancellationToken);
        }
    }

    /// <summary>Whether a TCP connection to <paramref name="endpoint"/> is accepted (then closed at once).</summary>
    private static async Task<bool> AcceptsAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(AttemptTimeout);
        try
        {
            await socket.ConnectAsync(endpoint, attempt.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
