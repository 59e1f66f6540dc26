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
/// Implementations return quickly and do not throw; the default does nothing.
/// </summary>
public interface IDomainChangeNotifier
{
    void DomainChanged(DomainChange change);
}

internal sealed class NoDomainChangeNotifier : IDomainChangeNotifier
{
    public void DomainChanged(DomainChange change)
    {
    }
}
