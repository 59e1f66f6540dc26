using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Docker;

/// <summary>Networks of one engine, always labelled.</summary>
public sealed class NetworkOperations
{
    private readonly IDockerClient _client;
    private readonly ResourceLabels _labels;

    internal NetworkOperations(IDockerClient client, ResourceLabels labels)
    {
        _client = client;
        _labels = labels;
    }

    /// <summary>
    /// Creates a bridge network on which containers cannot talk to each other (inter-container
    /// communication disabled), or returns the id of the one that already has this name.
    /// </summary>
    public async Task<string> EnsureIsolatedBridgeAsync(string name, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? labels = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (await InspectAsync(name, cancellationToken) is { } existing)
        {
            return existing.ID;
        }

        var response = await _client.Networks.CreateNetworkAsync(
            new NetworksCreateParameters
            {
                Name = name,
                Driver = "bridge",
                Options = new Dictionary<string, string> { ["com.docker.network.bridge.enable_icc"] = "false" },
                Labels = _labels.Apply(labels),
            },
            cancellationToken);
        return response.ID;
    }

    /// <summary>The network, or null when none has this name or id.</summary>
    public async Task<NetworkResponse?> InspectAsync(string nameOrId, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.Networks.InspectNetworkAsync(nameOrId, cancellationToken);
        }
        catch (DockerNetworkNotFoundException)
        {
            return null;
        }
    }

    public async Task RemoveAsync(string nameOrId, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Networks.DeleteNetworkAsync(nameOrId, cancellationToken);
        }
        catch (DockerNetworkNotFoundException)
        {
        }
    }
}
