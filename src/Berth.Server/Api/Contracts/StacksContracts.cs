using Berth.Core.Stacks;

namespace Berth.Server.Api.Contracts;

/// <summary>A new stack: its name (Compose project-name rule), the compose file and an optional <c>.env</c>.</summary>
public sealed record CreateStackRequest(string? Name, string? Compose, string? Env);

/// <summary>
/// New files for a stack. <c>env</c> null leaves <c>.env</c> as it is. <c>version</c> (from a read):
/// when given, the save is refused with 409 if either file changed since.
/// </summary>
public sealed record UpdateStackRequest(string? Compose, string? Env, string? Version);

/// <summary>A compose file (and <c>.env</c>) to validate; <c>name</c> optionally says which stack it is for (relative paths, port clashes).</summary>
public sealed record ValidateStackRequest(string? Compose, string? Env, string? Name);

public sealed record StackMessageResponse(int? Line, string Severity, string Message)
{
    public static StackMessageResponse From(StackMessage message) => new(message.Line, message.Severity, message.Message);
}

public sealed record StackValidationResponse(bool Valid, IReadOnlyList<StackMessageResponse> Messages)
{
    public static StackValidationResponse From(StackValidation validation) => new(validation.Valid, [.. validation.Messages.Select(StackMessageResponse.From)]);
}

/// <summary>A stack: <c>folder</c> null when it was started by hand without one; <c>status</c> running, partly-running, stopped or no-containers.</summary>
public sealed record StackResponse(string Name, string? Folder, string? ComposeFile, string Status, IReadOnlyList<StackServiceView> Services, string? RunningOperationId)
{
    public static StackResponse From(StackView view) => new(view.Name, view.Folder, view.ComposeFile, view.Status, view.Services, view.RunningOperationId);
}

/// <summary>A stack with its files; send <c>version</c> back when saving.</summary>
public sealed record StackDocumentResponse(string Name, string? Folder, string? ComposeFile, string Status, IReadOnlyList<StackServiceView> Services, string? RunningOperationId, string? Compose, string? Env, string? Version)
{
    public static StackDocumentResponse From(StackDocument document) => new(
        document.Stack.Name, document.Stack.Folder, document.Stack.ComposeFile, document.Stack.Status, document.Stack.Services,
        document.Stack.RunningOperationId, document.Compose, document.Env, document.Version);
}

public sealed record OperationStartedResponse(string OperationId);

public sealed record OperationLineResponse(long Sequence, string Stream, string Text)
{
    public static OperationLineResponse From(OperationLine line) => new(line.Sequence, line.Stream, line.Text);
}

/// <summary>An action: <c>state</c> running, succeeded or failed; <c>exitCode</c> once ended; <c>output</c> the last lines kept (<c>firstSequence</c>: the number of the first one).</summary>
public sealed record OperationResponse(
    string Id, string Stack, string Action, string State, long? ExitCode, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, long FirstSequence, IReadOnlyList<OperationLineResponse> Output)
{
    public static OperationResponse From(StackOperation operation)
    {
        var snapshot = operation.Snapshot();
        return new(
            operation.Id, operation.Stack.Value, operation.Action.Word(), snapshot.State.ToString().ToLowerInvariant(), snapshot.ExitCode,
            operation.StartedAt, operation.EndedAt, snapshot.FirstSequence, [.. snapshot.Lines.Select(OperationLineResponse.From)]);
    }
}
