using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Proxy.Tests;

/// <summary>The accept loop out of descriptors (E4): it pauses instead of spinning, and logs once per episode.</summary>
public sealed class AcceptBackoffTests
{
    [Theory]
    [InlineData(SocketError.TooManyOpenSockets)]
    [InlineData(SocketError.NoBufferSpaceAvailable)]
    public async Task AcceptAsync_OutOfResources_PausesBetweenTries_AndLogsOncePerEpisode(SocketError error)
    {
        var time = new FakeTimeProvider();
        var logger = new CountingLogger();
        var backoff = new AcceptBackoff(time, logger);
        using var accepted = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var calls = 0;
        var failUntil = 5;
        ValueTask<Socket> Accept(CancellationToken cancellationToken)
        {
            calls++;
            // Bounded: a loop that spins gives up here instead of running forever.
            return calls > 1000 ? throw new ObjectDisposedException("listener")
                : calls <= failUntil ? throw new SocketException((int)error)
                : ValueTask.FromResult(accepted);
        }

        var accepting = backoff.AcceptAsync(Accept, CancellationToken.None).AsTask();

        // Without time passing, one try only: the loop waits instead of trying again at once.
        Assert.Equal(1, calls);
        Assert.False(accepting.IsCompleted);
        for (var i = 0; i < 20 && !accepting.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
            for (var spin = 0; spin < 100 && calls <= i + 1 && !accepting.IsCompleted; spin++)
            {
                await Task.Delay(1);
            }
        }

        Assert.Same(accepted, await accepting);
        Assert.Equal(6, calls);
        Assert.Equal([LogLevel.Warning, LogLevel.Information], logger.Levels);

        // A second episode is logged again.
        (calls, failUntil) = (0, 1);
        accepting = backoff.AcceptAsync(Accept, CancellationToken.None).AsTask();
        Assert.False(accepting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Same(accepted, await accepting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([LogLevel.Warning, LogLevel.Information, LogLevel.Warning, LogLevel.Information], logger.Levels);
    }

    [Fact]
    public async Task AcceptAsync_ClientGoneBeforeAccept_TriesAgainAtOnce()
    {
        var backoff = new AcceptBackoff(new FakeTimeProvider(), new CountingLogger());
        using var accepted = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var calls = 0;

        var result = await backoff.AcceptAsync(
            _ => ++calls == 1 ? throw new SocketException((int)SocketError.ConnectionAborted) : ValueTask.FromResult(accepted),
            CancellationToken.None);

        Assert.Same(accepted, result);
        Assert.Equal(2, calls);
    }

    private sealed class CountingLogger : ILogger
    {
        public List<LogLevel> Levels { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Levels)
            {
                Levels.Add(logLevel);
            }
        }
    }
}
