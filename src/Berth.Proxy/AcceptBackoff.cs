using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Berth.Proxy;

/// <summary>
/// The accept loop of one listener. An accept that fails because the process or the machine is out of
/// descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) fails again at once, since the connection stays
/// in the backlog: retrying without a pause would spin a core and flood the log while the edge most
/// needs both. Such failures pause the loop (10 ms, doubling up to 1 s) and are logged once per episode;
/// a client that left before it was accepted is skipped at once.
/// </summary>
internal sealed class AcceptBackoff(TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(1);

    private int _failures;

    /// <summary>The next accepted socket; null when the listener was closed.</summary>
    public async ValueTask<Socket?> AcceptAsync(Func<CancellationToken, ValueTask<Socket>> accept, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var accepted = await accept(cancellationToken);
                if (_failures > 0)
                {
                    Log.AcceptRecovered(logger, _failures);
                    _failures = 0;
                }

                return accepted;
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.Interrupted)
            {
                // The client went away before it was accepted: wait for the next one.
            }
            catch (SocketException e)
            {
                if (_failures++ == 0)
                {
                    Log.AcceptFailing(logger, $"{e.SocketErrorCode}: {e.Message}");
                }

                var pause = TimeSpan.FromTicks(Math.Min(LongestPause.Ticks, FirstPause.Ticks << Math.Min(_failures - 1, 10)));
                try
                {
                    await Task.Delay(pause, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }
    }
}
