using Berth.Core.Hosting;

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
    public ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken) => ValueTask.FromResult(SemaphoreRelease.Nothing);
}

/// <summary>One writer at a time in this process.</summary>
#pragma warning disable CA1001 // A SemaphoreSlim whose wait handle is never asked for holds no OS resource; the gate lives as long as the process.
public sealed class SingleWriterGate : IDatabaseWriteGate
#pragma warning restore CA1001
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken);
        return new SemaphoreRelease(_semaphore);
    }
}
