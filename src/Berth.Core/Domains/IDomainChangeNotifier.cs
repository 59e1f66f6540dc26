namespace Berth.Core.Domains;

public enum DomainChangeKind
{
    Added,
    Edited,
    Removed,
}

/// <summary>One committed change of the domains table. <see cref="PreviousName"/> is set when an edit renamed the domain.</summary>
public sealed record DomainChange(DomainChangeKind Kind, long DomainId, long ServerId, string DomainName, string? PreviousName);

/// <summary>
/// Told of every domain change after it is committed, e.g. by the edge to rebuild its routes.
/// Implementations return quickly and do not throw; the default wakes the edge's route rebuild.
/// </summary>
public interface IDomainChangeNotifier
{
    void DomainChanged(DomainChange change);
}

/// <summary>Every committed domain change makes the edge rebuild its routes now (a change applies in under a second).</summary>
internal sealed class EdgeRoutesNotifier(EdgeRoutesSignal signal) : IDomainChangeNotifier
{
    public void DomainChanged(DomainChange change) => signal.Request();
}
