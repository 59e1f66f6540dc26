using Berth.Core.Stacks;

namespace Berth.Server.Components.Panel;

/// <summary>One line of a stack's logs as the panel shows it: the stream the container wrote it to, then its text.</summary>
public sealed record StackLogLine(string Stream, string Text);

/// <summary>The Compose stacks of a server, through the same use cases as the API's /stacks routes.</summary>
public sealed partial class PanelData
{
    public Task<IReadOnlyList<StackView>> ListStacksAsync(long serverId) =>
        RunAsync((s, a) => s.GetRequiredService<StacksService>().ListAsync(a.UserId, a.IsAdmin, serverId, default));

    public Task<StackDocument> GetStackAsync(long serverId, string name) =>
        RunAsync((s, a) => s.GetRequiredService<StacksService>().GetAsync(a.UserId, a.IsAdmin, serverId, name, default));

    public Task<StackDocument> CreateStackAsync(long serverId, string name, string compose, string? env) =>
        RunAsync((s, a) => s.GetRequiredService<StacksService>().CreateAsync(a.UserId, a.IsAdmin, serverId, name, compose, env, default));

    /// <summary>Saves an edited stack; <paramref name="version"/> (from the read) makes a change made since a 409 STACK_CHANGED.</summary>
    public Task<StackDocument> UpdateStackAsync(long serverId, string name, string compose, string? env, string? version) =>
        RunAsync((s, a) => s.GetRequiredService<StacksService>().UpdateAsync(a.UserId, a.IsAdmin, serverId, name, compose, env, version, default));

    public Task<StackValidation> ValidateStackAsync(long serverId, string? name, string compose, string? env) =>
        RunAsync((s, a) => s.GetRequiredService<StacksService>().ValidateAsync(a.UserId, a.IsAdmin, serverId, name, compose, env, default));

    /// <summary>Starts an action in the background; its output is followed with <see cref="StackOperation.FollowAsync"/>, as the API's event stream does.</summary>
    public Task<StackOperation> StartStackActionAsync(long serverId, string name, StackAction action) =>
        RunAsync((s, a) => s.GetRequiredService<StacksService>().StartActionAsync(a.UserId, a.IsAdmin, serverId, name, action.Word(), default));

    public Task<StackOperation> GetStackOperationAsync(long serverId, string operationId) =>
        RunAsync((s, a) => s.GetRequiredService<StacksService>().GetOperationAsync(a.UserId, a.IsAdmin, serverId, operationId, default));

    /// <summary>Takes the stack down, then moves its folder to the trash; returns the down operation (ended).</summary>
    public Task<StackOperation> DeleteStackAsync(long serverId, string name) =>
        RunAsync((s, a) => s.GetRequiredService<StacksService>().DeleteAsync(a.UserId, a.IsAdmin, serverId, name, s.GetRequiredService<TimeProvider>(), default));

    /// <summary>
    /// Reads the stack's logs line by line into <paramref name="onLine"/> until they end (with
    /// <paramref name="follow"/>, until <paramref name="cancellationToken"/> fires, which closes the
    /// engine's streams too). Each line keeps its stream; its text is Compose's <c>service-1 | time text</c>.
    /// </summary>
    public Task ReadStackLogsAsync(long serverId, string name, string? service, int tail, bool follow, Func<StackLogLine, Task> onLine, CancellationToken cancellationToken) => RunAsync(async (s, a) =>
    {
        await using var reader = await s.GetRequiredService<StacksService>().OpenLogsAsync(a.UserId, a.IsAdmin, serverId, name, service, tail, follow, cancellationToken);
        try
        {
            await foreach (var line in reader.ReadAsync(cancellationToken))
            {
                var error = line.StartsWith("stderr ", StringComparison.Ordinal);
                await onLine(new StackLogLine(error ? OperationLine.Err : OperationLine.Out, line["stdout ".Length..]));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The reader closed the logs.
        }

        return true;
    });
}
