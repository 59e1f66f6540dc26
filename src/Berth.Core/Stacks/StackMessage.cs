namespace Berth.Core.Stacks;

/// <summary>One finding of a validation: an error stops a create, an edit or an action; a warning is shown and allowed.</summary>
public sealed record StackMessage(int? Line, string Severity, string Message)
{
    public const string Error = "error";
    public const string Warning = "warning";

    public static StackMessage Fail(int? line, string message) => new(line, Error, message);

    public static StackMessage Warn(int? line, string message) => new(line, Warning, message);
}

/// <summary>The outcome of validating a compose file (and its <c>.env</c>).</summary>
public sealed record StackValidation(IReadOnlyList<StackMessage> Messages)
{
    public bool Valid => Messages.All(m => m.Severity != StackMessage.Error);
}
