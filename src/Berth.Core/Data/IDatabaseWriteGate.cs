namespace Berth.Core.Data;

/// <summary>
/// Serialises writers where the database allows only one at a time (SQLite). Providers that
/// handle concurrent writers themselves register <see cref="UnrestrictedWriteGate"/>.
/// </summary>
public interface IDatabaseWriteGate
{
    ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken);
}

public sealed class UnrestrictedWriteGate : IDatabaseWriteGate
{
    private static readonly IDisposable Nothing = new Releaser(null);

    public ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Nothing);

    internal sealed class Releaser(SemaphoreSlim? semaphore) : IDisposable
    {
        private SemaphoreSlim? _semaphore = semaphore;

        public void Dispose() => Interlocked.Exchange(ref _semaphore, null)?.Release();
    }
}

/// <summary>One writer at a time in this process.</summary>
public sealed class SingleWriterGate : IDatabaseWriteGate, IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken);
        return new UnrestrictedWriteGate.Releaser(_semaphore);
    }

    public void Dispose() => _semaphore.Dispose();
}
