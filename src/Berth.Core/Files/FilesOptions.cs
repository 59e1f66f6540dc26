using Microsoft.Extensions.Options;

namespace Berth.Core.Files;

/// <summary>Settings of the file manager (configuration section <c>Berth:Files</c>; <c>berth serve --max-upload-size</c>).</summary>
public sealed class FilesOptions
{
    public const string Section = "Berth:Files";

    /// <summary>The largest file one upload may write (bytes); larger ones are refused with 413 and leave nothing behind.</summary>
    public long MaxUploadSize { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>The largest file the text editor opens or saves (bytes).</summary>
    public long MaxTextSize { get; set; } = 5L * 1024 * 1024;

    /// <summary>The most entries one listing page returns.</summary>
    public int MaxPageSize { get; set; } = 10_000;
}

internal sealed class FilesOptionsValidation : IValidateOptions<FilesOptions>
{
    public ValidateOptionsResult Validate(string? name, FilesOptions options)
    {
        var failures = new List<string>();
        if (options.MaxUploadSize <= 0)
        {
            failures.Add($"{FilesOptions.Section}:{nameof(FilesOptions.MaxUploadSize)} must be positive.");
        }

        if (options.MaxTextSize <= 0 || options.MaxTextSize > 64L * 1024 * 1024)
        {
            failures.Add($"{FilesOptions.Section}:{nameof(FilesOptions.MaxTextSize)} must be between 1 byte and 64 MiB.");
        }

        if (options.MaxPageSize is < 1 or > 100_000)
        {
            failures.Add($"{FilesOptions.Section}:{nameof(FilesOptions.MaxPageSize)} must be between 1 and 100000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
