using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Core.Hosting;
using Berth.Core.Ssh;
using Berth.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Berth.Server.Ssh;

/// <summary>What the SSH entry is doing, for /health and start-up output.</summary>
public sealed record SshEntryStatus(string Status, string? Address, IReadOnlyList<string> Fingerprints, string? Reason = null)
{
    public static readonly SshEntryStatus Off = new("off", null, []);
}

/// <summary>
/// Runs the SSH entry's gateway (<c>ssh-gateway.js</c> on Node, decision 0009) and answers its
/// questions: the gateway terminates SSH, Berth decides every attempt through
/// <see cref="SshEntryService"/>. One JSON object per line on the process's stdin and stdout. A
/// gateway that dies is started again; a missing Node turns the entry off with a reason, never a
/// failed start; a listener that cannot be bound fails the start with one clear line.
/// </summary>
public sealed partial class SshGateway(
    IServiceScopeFactory scopes,
    HostTools tools,
    SshEntryKeys keys,
    IOptions<SshEntryOptions> options,
    ILogger<SshGateway> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>The bundled gateway next to the assembly (Berth.Server.csproj builds it).</summary>
    public static string Script => Path.Combine(AppContext.BaseDirectory, "ssh-gateway.js");

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Process? _process;
    private Task? _supervisor;
    private int _port;

    public SshEntryStatus Status { get; private set; } = SshEntryStatus.Off;

    /// <summary>The address the entry listens on, once it does.</summary>
    public IPEndPoint? Endpoint => Status.Status == "listening" ? new IPEndPoint(options.Value.ListenIp, _port) : null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        if (!File.Exists(Script))
        {
            Status = new SshEntryStatus("unavailable", null, [], $"{Script} is missing (the build bundles it).");
            Log.Unavailable(logger, Status.Reason!);
            return;
        }

        _port = settings.Port;
        var failure = await RunOnceAsync(cancellationToken);
        if (failure is not null)
        {
            if (Status.Status == "unavailable")
            {
                Log.Unavailable(logger, failure);
                return;
            }

            throw new SettingsException($"--ssh-listen {settings.ListenAddress}:{settings.Port}: {failure}");
        }

        _supervisor = SuperviseAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await EndProcessAsync();
        if (_supervisor is not null)
        {
            await _supervisor.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await EndProcessAsync();
        _stopping.Dispose();
        _writes.Dispose();
    }

    /// <summary>Starts the gateway and waits until it listens; the reason when it does not.</summary>
    private async Task<string?> RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (HostTools.Locate(HostTool.Node) is null)
        {
            Status = new SshEntryStatus("unavailable", null, [], "Node.js is not installed (/usr/bin/node): install the nodejs package, or turn the entry off with --ssh off.");
            return Status.Reason;
        }

        Process process;
        try
        {
            process = tools.StartConversation(HostTool.Node, [Script]);
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            Status = new SshEntryStatus("unavailable", null, [], $"Node.js could not be started: {e.Message}");
            return Status.Reason;
        }

        _process = process;
        var listening = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = PumpErrorsAsync(process);
        _ = PumpAsync(process, listening);
        var config = new JsonObject
        {
            ["listen"] = new JsonObject { ["host"] = settings.ListenAddress, ["port"] = _port },
            ["hostKeys"] = new JsonArray([.. keys.HostKeysPem.Select(k => (JsonNode)k)]),
            ["entryKey"] = keys.EntryKeyPem,
            ["limits"] = new JsonObject
            {
                ["loginGraceSeconds"] = settings.LoginGraceTime.TotalSeconds,
                ["authAttempts"] = settings.MaxAuthAttempts,
                ["unauthenticatedPerAddress"] = settings.MaxUnauthenticatedPerAddress,
                ["unauthenticated"] = settings.MaxUnauthenticated,
                ["upstreamTimeoutSeconds"] = settings.ServerConnectTimeout.TotalSeconds,
            },
        };
        await WriteAsync(config.ToJsonString(), cancellationToken);
        string? outcome;
        try
        {
            outcome = await listening.Task.WaitAsync(StartTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            outcome = $"the gateway did not listen within {StartTimeout.TotalSeconds:0} s";
        }

        if (outcome is null)
        {
            var address = new IPEndPoint(settings.ListenIp, _port).ToString();
            var fingerprints = string.Join(", ", keys.Fingerprints);
            Status = new SshEntryStatus("listening", address, keys.Fingerprints);
            Log.Listening(logger, address, fingerprints);

            return null;
        }

        await EndProcessAsync();
        return outcome;
    }

    /// <summary>A gateway that exits while Berth runs is started again, after a growing pause, on the same port.</summary>
    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var pause = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _process!.WaitForExitAsync(stopping);
                Status = Status with { Status = "restarting", Reason = $"the gateway exited with code {_process.ExitCode}" };
                Log.Exited(logger, _process.ExitCode);
                await Task.Delay(pause, stopping);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                if (await RunOnceAsync(stopping) is { } failure)
                {
                    Status = new SshEntryStatus("failed", null, keys.Fingerprints, failure);
                    Log.RestartFailed(logger, failure);
                }
                else
                {
                    pause = TimeSpan.FromSeconds(1);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task PumpAsync(Process process, TaskCompletionSource<string?> listening)
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                JsonObject? message;
                try
                {
                    message = JsonNode.Parse(line) as JsonObject;
                }
                catch (JsonException)
                {
                    continue;
                }

                switch (message?["type"]?.GetValue<string>())
                {
                    case "listening":
                        _port = message["port"]!.GetValue<int>();
                        listening.TrySetResult(null);
                        break;
                    case "failed":
                        listening.TrySetResult(message["message"]?.GetValue<string>() ?? "the gateway could not listen");
                        break;
                    case "log":
                        Log.Gateway(logger, message["message"]?.GetValue<string>() ?? "");
                        break;
                    case "auth":
                        _ = AnswerAsync(message);
                        break;
                }
            }
        }
        finally
        {
            listening.TrySetResult("the gateway exited before it listened");
        }
    }

    /// <summary>What the gateway prints on stderr (a crash's stack) goes to Berth's log; read so that the pipe never fills.</summary>
    private async Task PumpErrorsAsync(Process process)
    {
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            Log.Gateway(logger, line);
        }
    }

    private async Task AnswerAsync(JsonObject question)
    {
        var id = question["id"]?.GetValue<long>() ?? 0;
        SshDecision decision;
        try
        {
            var key = question["key"]?.GetValue<string>();
            var attempt = new SshAttempt(
                question["user"]?.GetValue<string>() ?? "",
                question["address"]?.GetValue<string>() ?? "",
                question["method"]?.GetValue<string>() == "password" ? SshMethod.Password : SshMethod.PublicKey,
                question["signed"]?.GetValue<bool>() == true,
                question["password"]?.GetValue<string>(),
                key is null ? null : Convert.FromBase64String(key));
            await using var scope = scopes.CreateAsyncScope();
            decision = await scope.ServiceProvider.GetRequiredService<SshEntryService>().AuthorizeAsync(attempt, _stopping.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever went wrong, the answer is no.
            Log.DecisionFailed(logger, e);
            decision = SshDecision.Refused;
        }

        var answer = new JsonObject { ["id"] = id, ["allow"] = decision.Allow };
        if (decision.Target is { } target)
        {
            answer["target"] = new JsonObject { ["host"] = target.Host, ["port"] = target.Port, ["hostKey"] = target.HostKey };
        }

        try
        {
            await WriteAsync(answer.ToJsonString(), _stopping.Token);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The gateway went away; its connections went with it.
        }
    }

    private async Task WriteAsync(string line, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            var input = _process!.StandardInput;
            await input.WriteLineAsync(line.AsMemory(), cancellationToken);
            await input.FlushAsync(cancellationToken);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Closing stdin ends the gateway and every connection it carries; a gateway that lingers is killed.</summary>
    private async Task EndProcessAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            process.StandardInput.Close();
            using var wait = new CancellationTokenSource(StopTimeout);
            await process.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3800, Level = LogLevel.Information, Message = "SSH entry listening on {Address} (host keys {Fingerprints})")]
        public static partial void Listening(ILogger logger, string address, string fingerprints);

        [LoggerMessage(EventId = 3801, Level = LogLevel.Warning, Message = "SSH entry off: {Reason}")]
        public static partial void Unavailable(ILogger logger, string reason);

        [LoggerMessage(EventId = 3802, Level = LogLevel.Error, Message = "SSH gateway exited with code {Code}; starting it again")]
        public static partial void Exited(ILogger logger, int code);

        [LoggerMessage(EventId = 3803, Level = LogLevel.Error, Message = "SSH gateway could not be started again: {Reason}")]
        public static partial void RestartFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 3804, Level = LogLevel.Warning, Message = "SSH gateway: {Message}")]
        public static partial void Gateway(ILogger logger, string message);

        [LoggerMessage(EventId = 3805, Level = LogLevel.Error, Message = "SSH entry: an attempt could not be decided; refused")]
        public static partial void DecisionFailed(ILogger logger, Exception exception);
    }
}
