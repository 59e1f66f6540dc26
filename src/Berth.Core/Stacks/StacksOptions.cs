using Microsoft.Extensions.Options;

namespace Berth.Core.Stacks;

/// <summary>Settings of Compose stacks (configuration section <c>Berth:Stacks</c>).</summary>
public sealed class StacksOptions
{
    public const string Section = "Berth:Stacks";

    /// <summary>How many of an action's last output lines are kept (for re-attaching and for reading after it ended).</summary>
    public int OutputLines { get; set; } = 2000;

    /// <summary>How long an ended action's output stays readable.</summary>
    public TimeSpan OperationRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most ended actions kept at once (the oldest go first).</summary>
    public int MaxKeptOperations { get; set; } = 500;

    /// <summary>The largest compose file or <c>.env</c> accepted (bytes; the API takes JSON bodies up to 1 MiB).</summary>
    public int MaxFileSize { get; set; } = 512 * 1024;

    /// <summary>The most log lines one request may ask for with <c>tail</c>.</summary>
    public int MaxLogTail { get; set; } = 10_000;
}

internal sealed class StacksOptionsValidation : IValidateOptions<StacksOptions>
{
    public ValidateOptionsResult Validate(string? name, StacksOptions options)
    {
        var failures = new List<string>();
        if (options.OutputLines is < 10 or > 1_000_000)
        {
            failures.Add($"{StacksOptions.Section}:{nameof(StacksOptions.OutputLines)} must be between 10 and 1000000.");
        }

        if (options.OperationRetention <= TimeSpan.Zero)
        {
            failures.Add($"{StacksOptions.Section}:{nameof(StacksOptions.OperationRetention)} must be positive.");
        }

        if (options.MaxKeptOperations < 1)
        {
            failures.Add($"{StacksOptions.Section}:{nameof(StacksOptions.MaxKeptOperations)} must be at least 1.");
        }

        if (options.MaxFileSize is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"{StacksOptions.Section}:{nameof(StacksOptions.MaxFileSize)} must be between 1 KiB and 16 MiB.");
        }

        if (options.MaxLogTail is < 1 or > 1_000_000)
        {
            failures.Add($"{StacksOptions.Section}:{nameof(StacksOptions.MaxLogTail)} must be between 1 and 1000000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
