using Berth.Core.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Domains.Verification;

/// <summary>Wakes the verification loop: a domain was added or renamed.</summary>
public sealed class DomainVerificationSignal : WakeSignal;

/// <summary>
/// Re-checks the names still waiting for their proof on a schedule (<see cref="DomainsOptions.VerificationInterval"/>)
/// and at once when a domain is added or renamed, so an owner who creates the record needs no button.
/// </summary>
public sealed partial class DomainVerificationLoop(
    DomainVerifier verifier,
    DomainsOptions options,
    DomainVerificationSignal signal,
    TimeProvider clock,
    ILogger<DomainVerificationLoop> logger) : ReconcileLoop(options.VerificationInterval, clock, signal)
{
    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        if (!options.VerificationRequired)
        {
            return;
        }

        foreach (var id in await verifier.UnprovenAsync(cancellationToken))
        {
            await verifier.CheckAsync(id, cancellationToken);
        }
    }

    protected override void OnPassFailed(Exception exception) => LogPassFailed(logger, exception);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "A pass of the domain verification checks failed; it runs again at the next one")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
