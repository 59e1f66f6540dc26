namespace Berth.Server.Tests.Infrastructure;

/// <summary>
/// Test classes that create virtual servers on the run's engine. Container names are
/// <c>hosting-users-dind-&lt;id&gt;</c> and every test host counts ids from 1, so these classes run
/// one after another, never side by side.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SharedEngine
{
    public const string Name = "Docker engine";
}
