using Docker.DotNet;

namespace Berth.Docker;

/// <summary>Wait strategies: poll an engine until it is ready, with a deadline.</summary>
public static class DockerWait
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Returns once the engine answers a ping; throws <see cref="TimeoutException"/> (carrying the
    /// last error) when it has not answered within <paramref name="timeout"/>.
    /// </summary>
    public static async Task UntilEngineAnswersAsync(IDockerClient client, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        Exception? last = null;
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

            await Task.Delay(Interval, time, cancellationToken);
        }
    }
}
