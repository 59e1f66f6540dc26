using System.Collections.Concurrent;
using System.Security.Cryptography;
using Berth.Core.Errors;
using Berth.Core.Terminal;
using Berth.Docker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Core.Stacks;

/// <summary>
/// The actions running or recently ended, in memory (they are about this run of Berth: after a
/// restart an action's output is gone, its effect is in the server). One action at a time per
/// stack; an action runs in the background, not in the request that started it, so a client that
/// goes away changes nothing. When Berth stops, running actions are cancelled and awaited.
/// </summary>
public sealed class StackOperations(IOptions<StacksOptions> options, TimeProvider time, ILogger<StackOperations> logger) : IHostedService, IDisposable
{
    private const int ChunkBytes = 16 * 1024;

    private readonly ConcurrentDictionary<string, StackOperation> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<(long ServerId, string Stack), StackOperation> _running = [];
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>An operation of <paramref name="serverId"/>, running or kept; null when unknown (or of another server).</summary>
    public StackOperation? Find(long serverId, string? id) =>
        id is not null && _operations.TryGetValue(id, out var operation) && operation.ServerId == serverId ? operation : null;

    /// <summary>The action running on a stack now, if any.</summary>
    public StackOperation? RunningOn(long serverId, StackName stack)
    {
        lock (_running)
        {
            return _running.GetValueOrDefault((serverId, stack.Value));
        }
    }

    /// <summary>Claims the stack for a new action; 409 STACK_BUSY naming the running one when it is taken.</summary>
    internal StackOperation Begin(long serverId, StackName stack, StackAction action, long userId)
    {
        Evict();
        var operation = new StackOperation(ConnectionTickets.Base64Url(RandomNumberGenerator.GetBytes(16)), serverId, stack, action, userId, time.GetUtcNow(), options.Value.OutputLines);
        lock (_running)
        {
            if (_running.TryGetValue((serverId, stack.Value), out var busy))
            {
                throw new BerthException(ErrorKind.Conflict, "STACK_BUSY", $"Stack {stack} is busy: '{busy.Action.Word()}' (operation {busy.Id}) is still running; wait for it to end.")
                {
                    Extensions = new Dictionary<string, object> { ["operationId"] = busy.Id, ["action"] = busy.Action.Word() },
                };
            }

            _running[(serverId, stack.Value)] = operation;
        }

        _operations[operation.Id] = operation;
        return operation;
    }

    /// <summary>Runs <paramref name="argv"/> in the server's container for <paramref name="operation"/>, in the background; ends it with the exit code.</summary>
    internal void Run(StackOperation operation, DockerEngine host, string containerId, IReadOnlyList<string> argv, StreamingExecOptions execOptions)
    {
        Log.ActionStarted(logger, operation.Action, operation.Stack, operation.ServerId, operation.UserId, operation.Id);
        _tasks[operation.Id] = Task.Run(() => RunAsync(operation, host, containerId, argv, execOptions), CancellationToken.None);
    }

    /// <summary>Ends <paramref name="operation"/> at once without running anything (it could not start).</summary>
    internal void Abandon(StackOperation operation, string note)
    {
        operation.Note(note);
        Complete(operation, null);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_tasks.Values).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync(StackOperation operation, DockerEngine host, string containerId, IReadOnlyList<string> argv, StreamingExecOptions execOptions)
    {
        long? exitCode = null;
        try
        {
            await using var exec = await host.Containers.StartStreamingAsync(containerId, argv, execOptions, _stopping.Token);
            var buffer = new byte[ChunkBytes];
            while (true)
            {
                var (count, stream) = await exec.ReadAsync(buffer, _stopping.Token);
                if (count == 0)
                {
                    break;
                }

                operation.Append(stream, buffer.AsSpan(0, count));
            }

            // Without input attached, the end of the output is the end of the process; the engine
            // marks the exec ended a moment later.
            for (var attempt = 0; attempt < 40 && exitCode is null; attempt++)
            {
                exitCode = await exec.ExitCodeAsync(_stopping.Token);
                if (exitCode is null)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), time, _stopping.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException || DockerEngine.IsEngineFailure(e))
        {
            Log.ActionBroken(logger, operation.Id, operation.ServerId, e);
            operation.Note(_stopping.IsCancellationRequested
                ? "Berth stopped while this action ran; the server may have finished it on its own."
                : "The server's engine could not run this action to its end (is the server running?).");
        }
        finally
        {
            Complete(operation, exitCode);
            _tasks.TryRemove(operation.Id, out _);
        }
    }

    private void Complete(StackOperation operation, long? exitCode)
    {
        operation.Finish(exitCode, time.GetUtcNow());
        lock (_running)
        {
            if (_running.TryGetValue((operation.ServerId, operation.Stack.Value), out var current) && current == operation)
            {
                _running.Remove((operation.ServerId, operation.Stack.Value));
            }
        }

        Log.ActionEnded(logger, operation.Id, operation.Action, operation.Stack, operation.ServerId, exitCode);
    }

    /// <summary>Forgets ended operations past the retention, and the oldest ended ones beyond the most kept.</summary>
    private void Evict()
    {
        var limit = time.GetUtcNow() - options.Value.OperationRetention;
        var ended = _operations.Values.Where(o => o.EndedAt is not null).OrderBy(o => o.EndedAt).ToList();
        var excess = Math.Max(0, ended.Count - options.Value.MaxKeptOperations + 1);
        foreach (var (operation, index) in ended.Select((o, i) => (o, i)))
        {
            if (index < excess || operation.EndedAt < limit)
            {
                _operations.TryRemove(operation.Id, out _);
            }
        }
    }
}
