using System.Text;
using Berth.Core.Stacks;
using Berth.Docker;

namespace Berth.Server.Components.Panel;

/// <summary>One line of a stack's logs as the panel shows it: the stream Compose wrote it to, then its text.</summary>
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
    /// Reads <c>docker compose logs</c> of a stack line by line into <paramref name="onLine"/> until it
    /// ends (with <paramref name="follow"/>, until <paramref name="cancellationToken"/> fires; the reader
    /// inside the server is then ended too). A line longer than 16 KiB is cut.
    /// </summary>
    public Task ReadStackLogsAsync(long serverId, string name, string? service, int tail, bool follow, Func<StackLogLine, Task> onLine, CancellationToken cancellationToken) => RunAsync(async (s, a) =>
    {
        var stacks = s.GetRequiredService<StacksService>();
        var (exec, container) = await stacks.OpenLogsAsync(a.UserId, a.IsAdmin, serverId, name, service, tail, follow, cancellationToken);
        try
        {
            const int MaxLine = 16 * 1024;
            var buffer = new byte[16 * 1024];
            var pending = new Dictionary<ExecOutput, List<byte>> { [ExecOutput.StandardOutput] = [], [ExecOutput.StandardError] = [] };
            async Task EmitAsync(ExecOutput stream)
            {
                var line = pending[stream];
                var text = Encoding.UTF8.GetString([.. line]).TrimEnd('\r');
                line.Clear();
                await onLine(new StackLogLine(stream == ExecOutput.StandardError ? OperationLine.Err : OperationLine.Out, text));
            }

            try
            {
                while (true)
                {
                    var (count, stream) = await exec.ReadAsync(buffer, cancellationToken);
                    if (count == 0)
                    {
                        break;
                    }

                    for (var i = 0; i < count; i++)
                    {
                        if (buffer[i] != (byte)'\n')
                        {
                            pending[stream].Add(buffer[i]);
                        }

                        if (buffer[i] == (byte)'\n' || pending[stream].Count >= MaxLine)
                        {
                            await EmitAsync(stream);
                        }
                    }
                }

                foreach (var stream in pending.Keys.Where(k => pending[k].Count > 0).ToList())
                {
                    await EmitAsync(stream);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException && cancellationToken.IsCancellationRequested)
            {
                // The reader closed the logs.
            }
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested)
            {
                await stacks.EndLogsAsync(exec, container);
            }

            await exec.DisposeAsync();
        }

        return true;
    });
}
