using System.Globalization;
using System.Text;
using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Errors;
using Berth.Core.Files;
using Berth.Core.Servers;
using Berth.Docker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Core.Stacks;

/// <summary>
/// Compose stacks of a server, for its owner or an admin (anyone else gets the 404 of a missing
/// server). Files are read and written through the file manager's safe path layer; everything
/// Compose does runs inside the server through an Engine API exec with an argument list, the
/// stack's name being the only word taken from the request (checked by <see cref="StackName"/>).
/// Berth never rewrites the tenant's compose file.
/// </summary>
public sealed class StacksService(
    BerthDbContext db,
    ServersService servers,
    ServerDirectories directories,
    ServerContainers containers,
    StackOperations operations,
    ActivityLog activity,
    IOptions<StacksOptions> options,
    ILogger<StacksService> logger)
{
    private const string TrashRoot = ".trash";

    public StacksOptions Options => options.Value;

    public async Task<IReadOnlyList<StackView>> ListAsync(long actorId, bool isAdmin, long serverId, CancellationToken cancellationToken)
    {
        await servers.EnsureVisibleAsync(actorId, isAdmin, serverId, cancellationToken);
        Dictionary<string, StackFolder> folders;
        try
        {
            using var folder = ServerFolder.Open(directories.Apps(serverId));
            folders = StackFolders.List(folder).ToDictionary(f => f.Name.Value, StringComparer.Ordinal);
        }
        catch (BerthException e) when (e.Code == "FILES_NOT_FOUND")
        {
            folders = []; // A server whose folders are not made yet: what the monitor sees only.
        }

        var services = await ServicesAsync(serverId, cancellationToken);
        var names = folders.Keys.Concat(services.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return [.. names.Select(n => View(serverId, StackName.Parse(n), folders.GetValueOrDefault(n), services.GetValueOrDefault(n) ?? []))];
    }

    public async Task<StackDocument> GetAsync(long actorId, bool isAdmin, long serverId, string? name, CancellationToken cancellationToken)
    {
        var stack = StackName.Parse(name);
        await servers.EnsureVisibleAsync(actorId, isAdmin, serverId, cancellationToken);
        using var folder = ServerFolder.Open(directories.Apps(serverId));
        var found = StackFolders.Find(folder, stack);
        var services = (await ServicesAsync(serverId, cancellationToken)).GetValueOrDefault(stack.Value) ?? [];
        if ((found?.ComposeFile is null) && services.Count == 0)
        {
            throw NotFound(stack);
        }

        var view = View(serverId, stack, found?.ComposeFile is null ? null : found, services);
        if (found?.ComposeFile is not { } composeFile)
        {
            return new StackDocument(view, null, null, null);
        }

        var compose = StackFolders.Read(folder, found.File(composeFile), Options.MaxFileSize);
        var env = StackFolders.Read(folder, found.File(StackFolders.EnvFileName), Options.MaxFileSize);
        return new StackDocument(view, compose?.Text, env?.Text, Version(compose?.Version, env?.Version));
    }

    /// <summary>Validates, then writes <c>/apps/stacks/&lt;name&gt;/compose.yaml</c> (and <c>.env</c>); a folder that exists without a compose file is taken as it is.</summary>
    public async Task<StackDocument> CreateAsync(long actorId, bool isAdmin, long serverId, string? name, string? compose, string? env, CancellationToken cancellationToken)
    {
        var stack = StackName.Parse(name);
        await servers.EnsureVisibleAsync(actorId, isAdmin, serverId, cancellationToken);
        CheckSize(compose, env);
        using (var folder = ServerFolder.Open(directories.Apps(serverId)))
        {
            var existing = StackFolders.Find(folder, stack);
            if (existing?.ComposeFile is not null)
            {
                throw BerthException.Conflict("STACK_EXISTS", $"Stack {stack} already exists; edit it instead.");
            }

            var target = existing ?? new StackFolder(stack, StackFolders.DefaultRoot, null);
            var validation = await ValidateAsync(serverId, folder, target, compose!, env, cancellationToken);
            ThrowIfInvalid(validation);
            if (existing is null)
            {
                if (!folder.IsFolder(AppsPath.Parse(StackFolders.DefaultRoot)))
                {
                    folder.CreateFolder(AppsPath.Parse(StackFolders.DefaultRoot));
                }

                folder.CreateFolder(target.Path);
            }

            if (env is not null)
            {
                StackFolders.Write(folder, target.File(StackFolders.EnvFileName), env);
            }

            StackFolders.Write(folder, target.File(StackFolders.ComposeFiles[0]), compose!);
        }

        Log.Created(logger, stack, serverId, actorId);
        activity.Add(db, actorId, $"Stack \"{stack}\" created on virtual server #{serverId}");
        await db.SaveChangesAsync(CancellationToken.None);
        return await GetAsync(actorId, isAdmin, serverId, stack.Value, cancellationToken);
    }

    /// <summary>
    /// Validates, then saves the compose file (and <c>.env</c> when given). With <paramref name="version"/>
    /// (from a read), 409 STACK_CHANGED when either file changed since; nothing is written then.
    /// </summary>
    public async Task<StackDocument> UpdateAsync(long actorId, bool isAdmin, long serverId, string? name, string? compose, string? env, string? version, CancellationToken cancellationToken)
    {
        var stack = StackName.Parse(name);
        await servers.EnsureVisibleAsync(actorId, isAdmin, serverId, cancellationToken);
        CheckSize(compose, env);
        using (var folder = ServerFolder.Open(directories.Apps(serverId)))
        {
            var found = StackFolders.Find(folder, stack);
            if (found?.ComposeFile is not { } composeFile)
            {
                throw NotFound(stack);
            }

            var validation = await ValidateAsync(serverId, folder, found, compose!, env, cancellationToken);
            ThrowIfInvalid(validation);
            var composePath = found.File(composeFile);
            var envPath = found.File(StackFolders.EnvFileName);
            if (!string.IsNullOrEmpty(version) && Version(folder.VersionOf(composePath), folder.VersionOf(envPath)) != version)
            {
                throw BerthException.Conflict("STACK_CHANGED", $"Stack {stack}'s files changed since they were read; reload them (your text is kept).");
            }

            if (env is not null)
            {
                StackFolders.Write(folder, envPath, env);
            }

            StackFolders.Write(folder, composePath, compose!);
        }

        Log.Edited(logger, stack, serverId, actorId);
        activity.Add(db, actorId, $"Stack \"{stack}\" edited on virtual server #{serverId}");
        await db.SaveChangesAsync(CancellationToken.None);
        return await GetAsync(actorId, isAdmin, serverId, stack.Value, cancellationToken);
    }

    /// <summary>Validates a proposed compose file (and <c>.env</c>) for a stack named <paramref name="name"/> (any name when none); nothing is written.</summary>
    public async Task<StackValidation> ValidateAsync(long actorId, bool isAdmin, long serverId, string? name, string? compose, string? env, CancellationToken cancellationToken)
    {
        var stack = StackName.Parse(string.IsNullOrEmpty(name) ? "validate" : name);
        await servers.EnsureVisibleAsync(actorId, isAdmin, serverId, cancellationToken);
        CheckSize(compose, env);
        using var folder = ServerFolder.Open(directories.Apps(serverId));
        var target = StackFolders.Find(folder, stack) ?? new StackFolder(stack, StackFolders.DefaultRoot, null);
        return await ValidateAsync(serverId, folder, target, compose!, env, cancellationToken);
    }

    /// <summary>Starts an action in the background; 409 STACK_BUSY while another runs on the stack.</summary>
    public async Task<StackOperation> StartActionAsync(long actorId, bool isAdmin, long serverId, string? name, string? action, CancellationToken cancellationToken)
    {
        var stack = StackName.Parse(name);
        var what = StackActions.Parse(action);
        await servers.EnsureVisibleAsync(actorId, isAdmin, serverId, cancellationToken);
        var (container, argv, execOptions) = await PrepareAsync(serverId, stack, what, cancellationToken);
        var operation = operations.Begin(serverId, stack, what, actorId);
        operations.Run(operation, containers.Host, container, argv, execOptions);
        activity.Add(db, actorId, $"Stack \"{stack}\" {what.Word()} on virtual server #{serverId}");
        await db.SaveChangesAsync(CancellationToken.None);
        return operation;
    }

    public async Task<StackOperation> GetOperationAsync(long actorId, bool isAdmin, long serverId, string? operationId, CancellationToken cancellationToken)
    {
        await servers.EnsureVisibleAsync(actorId, isAdmin, serverId, cancellationToken);
        return operations.Find(serverId, operationId)
            ?? throw BerthException.NotFound("OPERATION_NOT_FOUND", "No such operation on this server (operations are kept for a while after they end).");
    }

    /// <summary>
    /// Takes the stack down (as an action, so it shows and excludes others), then moves its folder
    /// to <c>/apps/.trash/stacks/&lt;name&gt;-&lt;time&gt;</c>, where the file manager can bring it back.
    /// </summary>
    public async Task<StackOperation> DeleteAsync(long actorId, bool isAdmin, long serverId, string? name, TimeProvider time, CancellationToken cancellationToken)
    {
        var stack = StackName.Parse(name);
        await servers.EnsureVisibleAsync(actorId, isAdmin, serverId, cancellationToken);
        StackFolder? found;
        using (var folder = ServerFolder.Open(directories.Apps(serverId)))
        {
            found = StackFolders.Find(folder, stack);
        }

        var services = (await ServicesAsync(serverId, cancellationToken)).GetValueOrDefault(stack.Value) ?? [];
        if (found is null && services.Count == 0)
        {
            throw NotFound(stack);
        }

        var (container, argv, execOptions) = await PrepareAsync(serverId, stack, StackAction.Down, cancellationToken);
        var operation = operations.Begin(serverId, stack, StackAction.Down, actorId);
        operations.Run(operation, containers.Host, container, argv, execOptions);
        await operation.FollowAsync(CancellationToken.None).LastAsync(CancellationToken.None);
        if (operation.State != OperationState.Succeeded)
        {
            throw BerthException.Conflict("STACK_DOWN_FAILED", $"Stack {stack} could not be taken down (exit code {operation.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}); see operation {operation.Id}. Its folder was kept.");
        }

        var trash = "";
        if (found is not null)
        {
            using var folder = ServerFolder.Open(directories.Apps(serverId));
            var trashRoot = AppsPath.Parse(TrashRoot);
            foreach (var level in new[] { trashRoot, trashRoot.Child("stacks") })
            {
                if (!folder.IsFolder(level))
                {
                    folder.CreateFolder(level);
                }
            }

            var target = trashRoot.Child("stacks").Child($"{stack}-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{operation.Id[..6]}");
            folder.Move(found.Path, target);
            trash = target.ToString();
        }

        Log.Deleted(logger, stack, serverId, actorId, trash);
        activity.Add(db, actorId, $"Stack \"{stack}\" deleted from virtual server #{serverId}");
        await db.SaveChangesAsync(CancellationToken.None);
        return operation;
    }

    /// <summary>
    /// Opens the stack's logs (one service or all; the last <paramref name="tail"/> lines of each
    /// container; following when asked) through the server's own engine, for the caller to read and
    /// dispose. Everything is checked here, before any of the answer is written.
    /// </summary>
    public async Task<StackLogReader> OpenLogsAsync(long actorId, bool isAdmin, long serverId, string? name, string? service, int? tail, bool follow, CancellationToken cancellationToken)
    {
        var stack = StackName.Parse(name);
        var serviceName = ServiceName.ParseOptional(service);
        var lines = tail ?? 200;
        if (lines < 0 || lines > Options.MaxLogTail)
        {
            throw BerthException.Invalid("TAIL_INVALID", $"tail must be between 0 and {Options.MaxLogTail}.");
        }

        await servers.EnsureVisibleAsync(actorId, isAdmin, serverId, cancellationToken);
        _ = await GetAsync(actorId, isAdmin, serverId, stack.Value, cancellationToken);
        await RunningContainerAsync(serverId, cancellationToken);
        var client = await containers.ConnectInnerAsync(serverId, cancellationToken)
            ?? throw BerthException.Conflict("SERVER_NOT_RUNNING", "The server is not running; start it first.");
        var engine = new DockerEngine(client, containers.Host.Labels, containers.Host.Time);
        try
        {
            var found = await engine.Containers.ListByLabelAsync($"{ServerStacks.ComposeProjectLabel}={stack.Value}", cancellationToken);
            var sources = StackLogSource.From(found.Select(c => (c.ID, c.Labels)), serviceName);
            return new StackLogReader(engine, sources, lines, follow);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    private async Task<(string Container, IReadOnlyList<string> Argv, StreamingExecOptions Options)> PrepareAsync(long serverId, StackName stack, StackAction action, CancellationToken cancellationToken)
    {
        StackFolder? found;
        using (var folder = ServerFolder.Open(directories.Apps(serverId)))
        {
            found = StackFolders.Find(folder, stack);
        }

        List<string> argv = ["docker", "compose", "--project-name", stack.Value];
        if (found?.ComposeFile is { } composeFile)
        {
            argv.AddRange(["--project-directory", found.InServer, "--file", $"{found.InServer}/{composeFile}"]);
        }
        else if (action is StackAction.Up or StackAction.Pull)
        {
            throw BerthException.Conflict("STACK_HAS_NO_FOLDER", $"Stack {stack} has no folder with a compose file; {action.Word()} needs one.");
        }

        argv.AddRange(action.Arguments());
        var container = await RunningContainerAsync(serverId, cancellationToken);
        return (container, argv, new StreamingExecOptions { User = "root", WorkingDirectory = found?.ComposeFile is null ? "/apps" : found.InServer });
    }

    private async Task<string> RunningContainerAsync(long serverId, CancellationToken cancellationToken)
    {
        var container = await containers.FindAsync(serverId, cancellationToken);
        return container is { State: "running" }
            ? container.Id
            : throw BerthException.Conflict("SERVER_NOT_RUNNING", "The server is not running; start it first.");
    }

    private async Task<StackValidation> ValidateAsync(long serverId, ServerFolder folder, StackFolder target, string compose, string? env, CancellationToken cancellationToken)
    {
        var messages = new List<StackMessage>();
        var variables = EnvFile.Parse(env, messages);
        var report = ComposeChecks.Check(compose, target.InServer);
        messages.AddRange(report.Messages);
        if (!report.Parsed)
        {
            return new StackValidation(messages);
        }

        foreach (var (context, line) in report.BuildContexts)
        {
            if (context.Contains("://", StringComparison.Ordinal) || context.StartsWith("git@", StringComparison.Ordinal)
                || ComposeChecks.Resolve(context, target.InServer) is not { } resolved || !ComposeChecks.IsUnderApps(resolved))
            {
                continue;
            }

            if (!folder.IsFolder(AppsPath.Parse(resolved["/apps".Length..])))
            {
                messages.Add(StackMessage.Fail(line, $"The build context {context} does not exist ({resolved}); create it with the file manager first."));
            }
        }

        CheckPortClashes(folder, target.Name, report.Ports, messages);
        messages.AddRange(await ComposeConfigAsync(serverId, target, compose, variables, cancellationToken));
        return new StackValidation(messages);
    }

    private void CheckPortClashes(ServerFolder folder, StackName stack, List<PublishedPort> ports, List<StackMessage> messages)
    {
        if (ports.Count == 0)
        {
            return;
        }

        foreach (var other in StackFolders.List(folder).Where(s => s.Name != stack))
        {
            ComposeReport theirs;
            try
            {
                if (StackFolders.Read(folder, other.File(other.ComposeFile!), Options.MaxFileSize) is not { } text)
                {
                    continue;
                }

                theirs = ComposeChecks.Check(text.Text, other.InServer);
            }
            catch (BerthException)
            {
                continue;
            }

            foreach (var port in ports.Where(p => theirs.Ports.Any(t => t.Port == p.Port && t.Protocol == p.Protocol)).DistinctBy(p => (p.Port, p.Protocol)))
            {
                messages.Add(StackMessage.Warn(port.Line, $"Host port {port.Port}/{port.Protocol} is also published by stack {other.Name}: only one of them can run at a time."));
            }
        }
    }

    /// <summary>
    /// Compose's own parser inside the server: the proposed file goes in on standard input (nothing
    /// is written), the proposed <c>.env</c> as the environment, relative paths from the stack's folder.
    /// </summary>
    private async Task<List<StackMessage>> ComposeConfigAsync(long serverId, StackFolder target, string compose, Dictionary<string, string> variables, CancellationToken cancellationToken)
    {
        var messages = new List<StackMessage>();
        var container = await RunningContainerAsync(serverId, cancellationToken);
        var output = new StringBuilder();
        long? exitCode = null;
        try
        {
            await using var exec = await containers.Host.Containers.StartStreamingAsync(
                container,
                ["docker", "compose", "--project-name", target.Name.Value, "--project-directory", target.InServer, "--file", "-", "config", "--quiet"],
                new StreamingExecOptions { User = "root", WorkingDirectory = "/apps", Environment = variables, Input = Encoding.UTF8.GetBytes(compose) },
                cancellationToken);
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var (count, _) = await exec.ReadAsync(buffer, cancellationToken);
                if (count == 0)
                {
                    break;
                }

                if (output.Length < 64 * 1024)
                {
                    output.Append(Encoding.UTF8.GetString(buffer, 0, count));
                }
            }

            for (var attempt = 0; attempt < 40 && exitCode is null; attempt++)
            {
                exitCode = await exec.ExitCodeAsync(cancellationToken);
                if (exitCode is null)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is IOException || DockerEngine.IsEngineFailure(e))
        {
            Log.ConfigFailed(logger, serverId, e);
            throw BerthException.Conflict("SERVER_NOT_RUNNING", "Compose could not be run in the server; is it running?");
        }

        if (exitCode != 0)
        {
            foreach (var line in output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                messages.Add(StackMessage.Fail(LineOf(line), $"docker compose config: {line}"));
            }

            if (messages.Count == 0)
            {
                messages.Add(StackMessage.Fail(null, $"docker compose config failed (exit code {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown"})."));
            }
        }

        return messages;
    }

    /// <summary>The line number in a message such as "yaml: line 4: ..." (Compose's YAML errors name one).</summary>
    private static int? LineOf(string message)
    {
        var at = message.IndexOf("line ", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var digits = new string([.. message.Skip(at + 5).TakeWhile(char.IsAsciiDigit)]);
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var line) ? line : null;
    }

    private async Task<Dictionary<string, List<StackServiceView>>> ServicesAsync(long serverId, CancellationToken cancellationToken)
    {
        var rows = await db.DockerContainers.AsNoTracking().Where(c => c.ParentServerId == serverId).ToListAsync(cancellationToken);
        var result = new Dictionary<string, List<StackServiceView>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (ServerStacks.LabelValue(row.Labels, ServerStacks.ComposeProjectLabel) is not { } project || !StackName.TryParse(project, out _))
            {
                continue;
            }

            var service = ServerStacks.LabelValue(row.Labels, "com.docker.compose.service") ?? row.Names;
            if (!result.TryGetValue(project, out var list))
            {
                result[project] = list = [];
            }

            list.Add(new StackServiceView(service, row.Names, row.Image, row.State, row.Status, row.Ports));
        }

        foreach (var list in result.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(a.Service, b.Service) is var bySevice and not 0 ? bySevice : string.CompareOrdinal(a.Container, b.Container));
        }

        return result;
    }

    private StackView View(long serverId, StackName stack, StackFolder? folder, List<StackServiceView> services) =>
        new(stack.Value, folder?.InServer, folder?.ComposeFile, StackView.StatusOf(services), services, operations.RunningOn(serverId, stack)?.Id);

    private void CheckSize(string? compose, string? env)
    {
        if (string.IsNullOrWhiteSpace(compose))
        {
            throw BerthException.Invalid("MISSING_FIELD", "The field 'compose' is required.");
        }

        if (Encoding.UTF8.GetByteCount(compose) > Options.MaxFileSize || (env is not null && Encoding.UTF8.GetByteCount(env) > Options.MaxFileSize))
        {
            throw new BerthException(ErrorKind.TooLarge, "STACK_FILE_TOO_LARGE", $"A compose file or .env may be at most {Options.MaxFileSize} bytes.");
        }
    }

    private static void ThrowIfInvalid(StackValidation validation)
    {
        if (!validation.Valid)
        {
            var first = validation.Messages.First(m => m.Severity == StackMessage.Error);
            throw new BerthException(ErrorKind.Invalid, "STACK_INVALID", first.Line is { } line ? $"Line {line}: {first.Message}" : first.Message)
            {
                Extensions = new Dictionary<string, object> { ["messages"] = validation.Messages },
            };
        }
    }

    private static string? Version(string? compose, string? env) => compose is null ? null : $"{compose}/{env ?? "-"}";

    private static BerthException NotFound(StackName stack) => BerthException.NotFound("STACK_NOT_FOUND", $"This server has no stack {stack}.");
}
