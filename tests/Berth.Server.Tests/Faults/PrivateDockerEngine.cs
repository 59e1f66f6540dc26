using System.Diagnostics;
using System.Globalization;
using Berth.Docker;

namespace Berth.Server.Tests.Faults;

/// <summary>
/// A Docker engine of the test's own, started as scripts/services/dockerd.sh starts the run's engine
/// (dockerd from the docker.io package, its own data root, exec root, socket and pid file), so that a test
/// may restart it: the run's engine is shared by test classes running side by side and must never be.
/// It differs from the run's engine where sharing the host demands: no default bridge (Berth makes its own
/// network), an address pool no other engine on the host routes, and no iptables management (an engine
/// starting flushes the DOCKER chains every engine on the host shares).
/// </summary>
internal sealed class PrivateDockerEngine : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _directory = new("berth-engine");
    private readonly string _execRoot = $"/run/berth-fault-{Guid.NewGuid().ToString("N")[..12]}";
    private readonly string _pool;
    private Process? _dockerd;

    private PrivateDockerEngine(string pool) => _pool = pool;

    /// <summary>The engine's socket, <c>unix:///…/docker.sock</c>; the same across restarts.</summary>
    public Uri Endpoint => new($"unix://{_directory.Combine("docker.sock")}");

    /// <summary>A client of this engine labelling with the run's session.</summary>
    public DockerEngine Connect() => new(DockerClientFactory.Create(Endpoint), new ResourceLabels(TestDocker.LabelPrefix, TestDocker.RunSession));

    /// <summary>Starts an engine and waits (at most a minute) until it answers.</summary>
    public static async Task<PrivateDockerEngine> StartAsync()
    {
        var engine = new PrivateDockerEngine(await FreeAddressPoolAsync());
        try
        {
            await engine.StartDaemonAsync();
            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts dockerd on the same socket and data root (again, after <see cref="StopAsync"/>) and waits until it answers.</summary>
    public async Task StartDaemonAsync()
    {
        Directory.CreateDirectory(_execRoot);
        var start = new ProcessStartInfo("dockerd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--host", Endpoint.ToString(), "--data-root", _directory.Combine("data"), "--exec-root", _execRoot,
            "--pidfile", _directory.Combine("dockerd.pid"), "--bridge", "none", "--iptables=false",
            "--default-address-pool", $"base={_pool},size=24", "--log-level", "warn",
        })
        {
            start.ArgumentList.Add(argument);
        }

        // HostTools runs Berth's own host programs; the engine under test is the test's business.
#pragma warning disable RS0030
        _dockerd = Process.Start(start)!;
#pragma warning restore RS0030
        _dockerd.OutputDataReceived += (_, _) => { };
        _dockerd.ErrorDataReceived += (_, _) => { };
        _dockerd.BeginOutputReadLine();
        _dockerd.BeginErrorReadLine();
        using var client = Connect();
        await client.WaitUntilAnswersAsync(StartTimeout, CancellationToken.None);
    }

    /// <summary>
    /// Stops dockerd as a service manager does (SIGTERM) and waits until it has exited: with live-restore
    /// off (the default) it stops every container first.
    /// </summary>
    public async Task StopAsync()
    {
        if (_dockerd is null || _dockerd.HasExited)
        {
            return;
        }

        await HostCommand.RunAsync("kill", "-TERM", _dockerd.Id.ToString(CultureInfo.InvariantCulture));
        using var deadline = new CancellationTokenSource(StopTimeout);
        try
        {
            await _dockerd.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _dockerd.Kill(entireProcessTree: true);
            await _dockerd.WaitForExitAsync();
            throw new TimeoutException($"dockerd did not stop within {StopTimeout.TotalSeconds:0} s of SIGTERM");
        }
        finally
        {
            _dockerd.Dispose();
            _dockerd = null;
        }
    }

    /// <summary>Removes every container of the engine, stops it, and removes its data root and exec root.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_dockerd is { HasExited: false })
        {
            try
            {
                using var client = Connect();
                var all = await client.Client.Containers.ListContainersAsync(new global::Docker.DotNet.Models.ContainersListParameters { All = true });
                foreach (var container in all)
                {
                    await client.Containers.RemoveAsync(container.ID, CancellationToken.None);
                }
            }
            catch (Exception e) when (DockerEngine.IsEngineFailure(e))
            {
                // Not answering: stopping it ends its containers too.
            }

            try
            {
                await StopAsync();
            }
            catch (TimeoutException)
            {
                // Killed instead; the mounts below are removed either way.
            }
        }

        // Mounts left behind (a killed engine's overlays, its exec root) would keep the folders from going: deepest first.
        var mounts = (await File.ReadAllLinesAsync("/proc/self/mounts"))
            .Select(line => line.Split(' ')[1])
            .Where(point => point.StartsWith(_directory.Path + "/", StringComparison.Ordinal) || point.StartsWith(_execRoot, StringComparison.Ordinal))
            .OrderByDescending(point => point.Length)
            .ToList();
        foreach (var point in mounts)
        {
            try
            {
                await HostCommand.RunAsync("umount", "-l", point);
            }
            catch (InvalidOperationException)
            {
                // Gone with its parent already.
            }
        }

        TryDelete(_execRoot);
        _directory.Dispose();
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: /run is a tmpfs, emptied at boot.
        }
    }

    /// <summary>A 10.x.0.0/16 pool that no route of the host uses yet (the run's engines take 10.231–10.235).</summary>
    private static async Task<string> FreeAddressPoolAsync()
    {
        var routes = (await File.ReadAllLinesAsync("/proc/net/route")).Select(line => line.Split('\t')).Where(f => f.Length > 1).Select(f => f[1]).ToList();
        var first = Random.Shared.Next(14);
        for (var i = 0; i < 14; i++)
        {
            var second = 240 + ((first + i) % 14);
            // /proc/net/route writes destinations as little-endian hex: 10.x.y.0 is 00yyxx0A.
            var suffix = second.ToString("X2", CultureInfo.InvariantCulture) + "0A";
            if (!routes.Any(destination => destination.EndsWith(suffix, StringComparison.Ordinal)))
            {
                return $"10.{second}.0.0/16";
            }
        }

        throw new InvalidOperationException("no free 10.240–10.253 address pool for a private engine");
    }
}
