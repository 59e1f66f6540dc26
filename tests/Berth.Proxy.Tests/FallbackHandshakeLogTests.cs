using System.Collections.Concurrent;
using System.Net;
using Berth.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Proxy.Tests;

/// <summary>What the edge logs for HTTPS to names it has no certificate for: one Debug line each, no stack trace.</summary>
public sealed class FallbackHandshakeLogTests : EdgeTestBase
{
    private readonly ConcurrentQueue<Entry> _logs = new();

    [Fact]
    public async Task HandshakesForNamesWithoutCertificate_LogOneDebugLineEach_WithoutException()
    {
        const int Attempts = 3;
        var startLines = _logs.Count;
        for (var i = 0; i < Attempts; i++)
        {
            // A fresh client each time: one handshake per attempt, the certificate accepted as a browser user would.
            using var client = EdgeClients.Create(HttpsEdge, onCertificate: _ => { });
            using var response = await client.GetAsync(new Uri($"https://unknown-{i}.test/"));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var entries = _logs.Skip(startLines).ToArray();
        Assert.DoesNotContain(entries, entry => entry.Exception is not null);
        Assert.DoesNotContain(entries, entry => entry.Level >= LogLevel.Warning);
        var fallback = entries.Where(entry => entry.Message.Contains("fallback certificate", StringComparison.Ordinal)).ToArray();
        Assert.Equal(Attempts, fallback.Length);
        Assert.All(fallback, entry => Assert.Equal(LogLevel.Debug, entry.Level));
        Assert.Equal(Enumerable.Range(0, Attempts).Select(i => $"unknown-{i}.test"), fallback.Select(entry => entry.Message.Split(' ')[3]));
    }

    internal override void ConfigureServices(IServiceCollection services) =>
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(new CapturingLoggerProvider(_logs)));

    private sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception);

    /// <summary>Owned (and disposed) by the edge's logger factory.</summary>
    private sealed class CapturingLoggerProvider(ConcurrentQueue<Entry> entries) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception));
        }
    }
}
