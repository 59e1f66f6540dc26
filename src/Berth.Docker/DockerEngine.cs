using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Docker;

/// <summary>
/// One Docker engine seen through one label set: every resource created through it carries
/// the labels, and <see cref="ReapSessionAsync"/> removes what this session created.
/// </summary>
public sealed class DockerEngine : IDisposable
{
    private readonly bool _ownsClient;

    /// <summary>Wraps <paramref name="client"/>; disposes it with the engine when <paramref name="ownsClient"/>.</summary>
    public DockerEngine(IDockerClient client, ResourceLabels labels, TimeProvider? time = null, bool ownsClient = true)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(labels);
        Client = client;
        Labels = labels;
        Time = time ?? TimeProvider.System;
        _ownsClient = ownsClient;
        Containers = new ContainerOperations(client, labels);
        Images = new ImageOperations(client, labels);
        Networks = new NetworkOperations(client, labels);
        Events = new EventOperations(client, Time);
    }

    /// <summary>The raw Engine API client, for calls this library does not wrap.</summary>
    public IDockerClient Client { get; }

    public ResourceLabels Labels { get; }

    public TimeProvider Time { get; }

    public ContainerOperations Containers { get; }

    public ImageOperations Images { get; }

    public NetworkOperations Networks { get; }

    public EventOperations Events { get; }

    /// <summary>Waits until the engine answers; see <see cref="DockerWait.UntilEngineAnswersAsync"/>.</summary>
    public Task WaitUntilAnswersAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        DockerWait.UntilEngineAnswersAsync(Client, timeout, Time, cancellationToken);

    /// <summary>
    /// Whether <paramref name="exception"/> says the engine refused or did not answer (an API error,
    /// a broken or refused connection, a timeout), as opposed to a fault of the caller's own.
    /// </summary>
    public static bool IsEngineFailure(Exception exception) =>
        exception is DockerApiException or HttpRequestException or IOException or TimeoutException
            or System.Net.Sockets.SocketException or InvalidOperationException { Source: "Docker.DotNet" };

    /// <summary>The engine's version report.</summary>
    public Task<VersionResponse> GetVersionAsync(CancellationToken cancellationToken) => Client.System.GetVersionAsync(cancellationToken);

    /// <summary>Removes every container (forcibly) and network labelled with this session's id.</summary>
    public async Task<ReapResult> ReapSessionAsync(CancellationToken cancellationToken)
    {
        var containers = await Client.Containers.ListContainersAsync(
            new ContainersListParameters { All = true, Filters = Labels.SessionFilter() }, cancellationToken);
        foreach (var container in containers)
        {
            await Containers.RemoveAsync(container.ID, cancellationToken);
        }

        var networks = await Client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = Labels.SessionFilter() }, cancellationToken);
        foreach (var network in networks)
        {
            await Networks.RemoveAsync(network.ID, cancellationToken);
        }

        return new ReapResult(containers.Count, networks.Count);
    }

    public void Dispose()
    {
        Networks.Dispose();
        if (_ownsClient)
        {
            Client.Dispose();
        }
    }
}
