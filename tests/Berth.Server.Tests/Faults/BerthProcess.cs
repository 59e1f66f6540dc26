using System.Diagnostics;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Faults;

/// <summary>
/// <c>berth serve</c> as its own process (the build's <c>berth</c> beside the tests), so that a test can
/// kill it the hard way: SIGKILL, with no shutdown code running. Its engine is a socket that does not exist
/// (the faults tested here are about the database, and no server of another run may be adopted).
/// </summary>
internal sealed class BerthProcess : IAsyncDisposable
{
    private readonly Process _process;

    private BerthProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Starts Berth over <paramref name="database"/> and waits (at most a minute) until it answers.</summary>
    public static Task<BerthProcess> StartAsync(TestDatabase database) => StartAsync(database.DataRoot, database.Kind == ProviderKind.PostgreSql ? database.ConnectionString : null);

    /// <summary>Starts Berth on <paramref name="dataRoot"/> (SQLite there, or the PostgreSQL database named) and waits until it answers.</summary>
    public static async Task<BerthProcess> StartAsync(string dataRoot, string? postgreSql = null)
    {
        var port = FaultSteps.FreePort();
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "berth"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "serve", "--data-root", dataRoot, "--urls", $"http://127.0.0.1:{port}", "--admin-password", BerthTestHost.AdminPassword,
            "--docker-host", "unix:///run/berth-tests-no-engine.sock", "--edge-http", "http://127.0.0.1:0", "--edge-https", "https://127.0.0.1:0", "--ssh", "off",
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (postgreSql is not null)
        {
            start.ArgumentList.Add("--database");
            start.ArgumentList.Add("postgresql");
            start.ArgumentList.Add("--connection-string");
            start.ArgumentList.Add(postgreSql);
        }

        // HostTools runs short host programs for Berth; this is the test running Berth itself, to kill it.
#pragma warning disable RS0030
        var process = Process.Start(start)!;
#pragma warning restore RS0030
        // Drained so a full pipe never blocks the process.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var berth = new BerthProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var probe = new HttpClient { BaseAddress = berth.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var live = await Poll.UntilAsync<HttpResponseMessage?, HttpRequestException>(() => LiveAsync(probe), r => r is { IsSuccessStatusCode: true }, timeout: TimeSpan.FromSeconds(60));
        if (live is not { IsSuccessStatusCode: true })
        {
            await berth.DisposeAsync();
            throw new TimeoutException($"Berth did not answer /health/live within 60 s (last: {live?.StatusCode.ToString() ?? "no answer"}).");
        }

        return berth;
    }

    /// <summary>One probe; an attempt that outlives the client's timeout (a starting process on a busy machine) is "not yet", like a refused one.</summary>
    private static async Task<HttpResponseMessage?> LiveAsync(HttpClient probe)
    {
        try
        {
            return await probe.GetAsync("/health/live");
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGKILL: the process ends at once, mid-write or not.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }
}
