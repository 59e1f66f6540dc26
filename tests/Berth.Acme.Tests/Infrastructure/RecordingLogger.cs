using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Berth.Acme.Tests.Infrastructure;

/// <summary>Keeps the event ids the client logged, to see what it did on the wire.</summary>
public sealed class RecordingLogger : ILogger<AcmeClient>
{
    private readonly ConcurrentQueue<EventId> _events = new();

    public int Count(int eventId) => _events.Count(e => e.Id == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _events.Enqueue(eventId);
}
