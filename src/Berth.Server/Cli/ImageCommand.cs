using System.CommandLine;
using Berth.Core.Hosting;
using Berth.Core.Servers.Image;
using Berth.Docker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Server.Cli;

/// <summary><c>berth image build</c>: makes the virtual-server image in the host engine, no registry needed.</summary>
internal static class ImageCommand
{
    public const string DefaultDockerHost = "unix:///var/run/docker.sock";

    public static Command Create()
    {
        var image = new Command("image", "Manage the virtual-server image.");
        image.Subcommands.Add(BuildCommand());
        return image;
    }

    private static Command BuildCommand()
    {
        var dockerHost = new Option<string?>("--docker-host") { Description = $"Docker engine to build into. Env: BERTH_DOCKER_HOST. Default: {DefaultDockerHost}" };
        var mirror = new Option<string?>("--mirror") { Description = "Debian mirror URL. Default: the one apt uses on this machine." };
        var force = new Option<bool>("--force") { Description = "Rebuild even when the engine has the current version." };
        var command = new Command("build", "Build the virtual-server image (Debian, Docker, sshd) and import it into the engine, unless its current version is there.")
        {
            dockerHost, mirror, force,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var endpoint = parse.GetValue(dockerHost) ?? Environment.GetEnvironmentVariable("BERTH_DOCKER_HOST") ?? DefaultDockerHost;
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri) || endpointUri.Scheme is not ("unix" or "tcp"))
            {
                await error.WriteLineAsync($"berth: invalid configuration: --docker-host '{endpoint}' must be unix:///path or tcp://host:port");
                return BerthCli.InvalidSettings;
            }

            try
            {
                using var engine = new DockerEngine(DockerClientFactory.Create(endpointUri), new ResourceLabels("berth", ResourceLabels.NewSessionId()));
                await engine.WaitUntilAnswersAsync(TimeSpan.FromSeconds(10), cancellationToken);
                var builder = new VirtualServerImageBuilder(new HostTools(NullLogger<HostTools>.Instance), TimeProvider.System);
                var source = parse.GetValue(mirror) ?? AptMirror.Detect(VirtualServerImage.Suite);
                await builder.EnsureAsync(engine, source, new LineProgress(output), parse.GetValue(force), cancellationToken);
                return BerthCli.Ok;
            }
            catch (TimeoutException e)
            {
                await error.WriteLineAsync($"berth: no Docker engine at {endpoint}: {e.Message}");
                return BerthCli.Failed;
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or global::Docker.DotNet.DockerApiException)
            {
                await error.WriteLineAsync($"berth: image build failed: {e.Message}");
                return BerthCli.Failed;
            }
        });
        return command;
    }

    /// <summary>Writes each progress line as it comes (Progress{T} would reorder them on the thread pool).</summary>
    private sealed class LineProgress(TextWriter output) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (output)
            {
                output.WriteLine(value);
            }
        }
    }
}
