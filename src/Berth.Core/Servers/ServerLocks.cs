using System.Collections.Concurrent;
using Berth.Core.Hosting;

namespace Berth.Core.Servers;

/// <summary>One operation at a time per server: API calls and the reconciler queue behind each other.</summary>
public sealed class ServerLocks
{
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _locks = new();

    public async Task<IDisposable> AcquireAsync(long serverId, CancellationToken cancellationToken)
    {
        var semaphore = _locks.GetOrAdd(serverId, _ => new SemaphoreSlim(1, 1));
        await semaphore.WaitAsync(cancellationToken);
        return new SemaphoreRelease(semaphore);
    }
}
