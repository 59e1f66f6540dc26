using Microsoft.Extensions.Logging;

namespace Berth.Core.Domains;

internal static partial class DomainChangeNotifierExtensions
{
    /// <summary>
    /// Tells the listeners of a committed change. The change is committed: a listener's failure is
    /// logged, never turned into an error for the caller.
    /// </summary>
    public static void NotifyCommitted(this IDomainChangeNotifier notifier, DomainChange change, ILogger logger)
    {
        try
        {
            notifier.DomainChanged(change);
        }
        catch (Exception e)
        {
            LogNotifierFailed(logger, change.DomainName, e);
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Error, Message = "A domain change listener failed on {DomainName}")]
    private static partial void LogNotifierFailed(ILogger logger, string domainName, Exception exception);
}
