using Berth.Core.Files;

namespace Berth.Server.Hosting;

/// <summary>
/// The file manager inside <c>berth serve</c>: settings from the <c>Berth:Files</c> section, with
/// <c>--max-upload-size</c> (BERTH_MAX_UPLOAD_SIZE) taking precedence.
/// </summary>
internal static class FilesFeature
{
    public static Action<FilesOptions> Configure(ServeSettings settings) => options =>
    {
        if (settings.MaxUploadSize is { } size)
        {
            options.MaxUploadSize = size;
        }
    };
}
