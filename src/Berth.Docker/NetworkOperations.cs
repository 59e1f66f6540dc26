using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Docker;

/// <summary>Networks of one engine, always labelled.</summary>
public sealed class NetworkOperations : IDisposable
{
    private readonly IDockerClient _client;
    private readonly ResourceLabels _labels;

    // The engine accepts concurrent creations of one name, and a name held by two networks is ambiguous
    // to every container start that uses it until the extra one is removed: callers of this process take
    // turns, so only callers in other processes can still race (and then the oldest network wins).
    private readonly SemaphoreSlim _ensuring = new(1, 1);

    internal NetworkOperations(IDockerClient client, ResourceLabels labels)
    {
        _client = client;
        _labels = labels;
    }

    /// <summary>
    /// Creates a bridge network on which containers cannot talk to each other (inter-container
    /// communication disabled), or returns the id of the one that already has this name. Calls of one
    /// engine client take turns; when processes race, all of them end up with the oldest network of that name.
    /// </summary>
    public async Task<string> EnsureIsolatedBridgeAsync(string name, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? labels = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await _ensuring.WaitAsync(cancellationToken);
        try
        {
            return await EnsureIsolatedBridgeOnceAsync(name, labels, cancellationToken);
        }
        finally
        {
            _ensuring.Release();
        }
    }

    private async Task<string> EnsureIsolatedBridgeOnceAsync(string name, IReadOnlyDictionary<string, string>? labels, CancellationToken cancellationToken)
    {
        if (await FindByNameAsync(name, cancellationToken) is { } existing)
        {
            return existing;
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

        // This engine API does not refuse a duplicate name: when another caller created one at the
        // same moment, every caller keeps the oldest and a newer one (still unused) is removed.
        var oldest = await FindByNameAsync(name, cancellationToken) ?? response.ID;
        if (oldest != response.ID)
        {
            await RemoveAsync(response.ID, cancellationToken);
        }

        return oldest;
    }

    public void Dispose() => _ensuring.Dispose();

    /// <summary>The id of the oldest network named exactly <paramref name="name"/>, or null.</summary>
    private async Task<string?> FindByNameAsync(string name, CancellationToken cancellationToken)
    {
        var networks = await _client.Networks.ListNetworksAsync(
            new NetworksListParameters { Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [name] = true } } },
            cancellationToken);
        return networks.Where(n => n.Name == name).OrderBy(n => n.Created).ThenBy(n => n.ID, StringComparer.Ordinal).FirstOrDefault()?.ID;
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
