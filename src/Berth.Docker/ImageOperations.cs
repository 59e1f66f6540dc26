using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Docker;

/// <summary>Images of one engine: built locally from root filesystems, copied between engines.</summary>
public sealed class ImageOperations
{
    private static readonly string[] ImportInstructions = ["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME", "WORKDIR"];

    private readonly IDockerClient _client;
    private readonly ResourceLabels _labels;

    internal ImageOperations(IDockerClient client, ResourceLabels labels)
    {
        _client = client;
        _labels = labels;
    }

    /// <summary>True when the engine has an image with this reference.</summary>
    public async Task<bool> ExistsAsync(string reference, CancellationToken cancellationToken) =>
        await InspectAsync(reference, cancellationToken) is not null;

    /// <summary>The image, or null when the engine does not have it.</summary>
    public async Task<ImageInspectResponse?> InspectAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.Images.InspectImageAsync(reference, cancellationToken);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Imports a root filesystem tar stream as image <paramref name="repository"/>:<paramref name="tag"/>
    /// (Engine API image create from source), with Dockerfile-style <paramref name="changes"/>
    /// (<c>ENTRYPOINT [...]</c>, <c>ENV ...</c>) and the managed label.
    /// </summary>
    public async Task ImportRootfsAsync(Stream rootfsTar, string repository, string tag, IEnumerable<string> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rootfsTar);
        ArgumentNullException.ThrowIfNull(changes);
        var unsupported = changes.FirstOrDefault(c => !ImportInstructions.Contains(c.Split(' ', 2)[0]));
        if (unsupported is not null)
        {
            // The engine would answer 400 before reading the upload, which surfaces as a broken pipe.
            throw new ArgumentException($"'{unsupported}' is not an instruction an image import accepts ({string.Join(", ", ImportInstructions)}).", nameof(changes));
        }

        var allChanges = changes.Append($"LABEL {_labels.ManagedKey}=true").ToList();
        var errors = new List<string>();
        await _client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromSrc = "-", Repo = repository, Tag = tag, Changes = allChanges },
            rootfsTar,
            new AuthConfig(),
            new Progress(m => Collect(m, errors)),
            cancellationToken);
        ThrowOnErrors(errors, $"import of {repository}:{tag}");
    }

    /// <summary>
    /// Copies an image to another engine (an engine API <c>save</c> streamed into a <c>load</c>),
    /// for engines that cannot pull from a registry.
    /// </summary>
    public async Task CopyToAsync(string reference, ImageOperations target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        await using var saved = await _client.Images.SaveImageAsync(reference, cancellationToken);
        var errors = new List<string>();
        await target._client.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, saved, new Progress(m => Collect(m, errors)), cancellationToken);
        ThrowOnErrors(errors, $"copy of {reference}");
    }

    public async Task RemoveAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Images.DeleteImageAsync(reference, new ImageDeleteParameters { Force = true }, cancellationToken);
        }
        catch (DockerImageNotFoundException)
        {
        }
    }

    private static void Collect(JSONMessage message, List<string> errors)
    {
        if (message.Error is { } error)
        {
            lock (errors)
            {
                errors.Add(error.Message ?? "unknown error");
            }
        }
    }

    private static void ThrowOnErrors(List<string> errors, string what)
    {
        lock (errors)
        {
            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"The engine refused the {what}: {string.Join("; ", errors)}");
            }
        }
    }

    /// <summary>Calls back on the reporting thread (Progress{T} would post to the thread pool and race the end of the call).</summary>
    private sealed class Progress(Action<JSONMessage> onMessage) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => onMessage(value);
    }
}
