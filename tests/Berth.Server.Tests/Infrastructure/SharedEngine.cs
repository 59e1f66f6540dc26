namespace Berth.Server.Tests.Infrastructure;

/// <summary>
/// Test classes that create virtual servers on the run's engine. Container names are
/// <c>hosting-users-dind-&lt;id&gt;</c> and every test host counts ids from 1, so these classes run
/// one after another, never side by side: a class left out creates <c>hosting-users-dind-1</c>
/// beside another's, the second creation replaces the first container, and the first host then
/// meets an engine holding another host's certificate. <see cref="SharedEngineMembershipTests"/>
/// holds every class whose fixture implements <see cref="ICreatesServers"/> to this.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SharedEngine
{
    public const string Name = "Docker engine";
}

/// <summary>A fixture that creates virtual servers on the run's engine: its test classes belong to <see cref="SharedEngine"/>.</summary>
public interface ICreatesServers;
