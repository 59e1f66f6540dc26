using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Core.Forwards;

/// <summary>What <see cref="ForwardListeners.Apply"/> changed.</summary>
public sealed record ForwardsApplied(int Opened, int Closed, int Failed);

/// <summary>
/// The open public ports, one listener per forward whose server runs. <see cref="Apply"/> makes them
/// equal to the wanted set: a forward gone (deleted, server stopped) closes with its connections; a
/// forward whose port or target changed is closed and opened again; a new one opens. Called by the
/// one listener loop only.
/// </summary>
public sealed class ForwardListeners(IOptions<ForwardsOptions> options, ILogger<ForwardListeners> logger) : IDisposable
{
    private readonly Dictionary<long, ForwardListener> _open = [];
    private readonly Lock _gate = new();
    private readonly HashSet<long> _failing = [];

    /// <summary>The public ports listening now.</summary>
    public IReadOnlyList<ForwardTarget> Open
    {
        get
        {
            lock (_gate)
            {
                return _open.Values.Select(l => l.Target).ToList();
            }
        }
    }

    /// <summary>Connections carried now, over every forward.</summary>
    public int ActiveConnections
    {
        get
        {
            lock (_gate)
            {
                return _open.Values.Sum(l => l.ActiveConnections);
            }
        }
    }

    public ForwardsApplied Apply(IReadOnlyCollection<ForwardTarget> wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        lock (_gate)
        {
            var byId = wanted.ToDictionary(t => t.ForwardId);
            var closed = 0;
            foreach (var (id, listener) in _open.ToList())
            {
                if (!byId.TryGetValue(id, out var target) || target != listener.Target)
                {
                    listener.Dispose();
                    _open.Remove(id);
                    closed++;
                    Log.Closed(logger, listener.Target.PublicPort, listener.Target.ServerId);
                }
            }

            var opened = 0;
            var failed = 0;
            foreach (var target in wanted.Where(t => !_open.ContainsKey(t.ForwardId)))
            {
                try
                {
                    _open[target.ForwardId] = ForwardListener.Open(target, options.Value, logger);
                    opened++;
                    Log.Opened(logger, target.PublicPort, target.ServerId, target.Target);
                }
                catch (SocketException e)
                {
                    // Another program holds the port: tried again on every pass until it is free.
                    failed++;
                    if (_failing.Add(target.ForwardId))
                    {
                        Log.OpenFailed(logger, target.PublicPort, target.ServerId, e.SocketErrorCode);
                    }

                    continue;
                }

                _failing.Remove(target.ForwardId);
            }

            _failing.IntersectWith(byId.Keys);
            return new ForwardsApplied(opened, closed, failed);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var listener in _open.Values)
            {
                listener.Dispose();
            }

            _open.Clear();
        }
    }
}
