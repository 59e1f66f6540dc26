using System.Text.Json;
using Berth.Core.Servers.Image;

namespace Berth.Core.Servers;

/// <summary>
/// The platform-wide registry mirror: written as <c>{"registry-mirrors": [url]}</c> into
/// <c>daemon.json</c> next to each server's engine TLS material (mounted read-only at
/// <see cref="VirtualServerImage.TlsDirectory"/>); the entrypoint hands it to the inner engine
/// with <c>--config-file</c>. Without a mirror the file is absent.
/// </summary>
public static class RegistryMirror
{
    public const string ConfigFile = "daemon.json";

    /// <summary>The mirror's URL, or null when none is set; anything but an http(s) URL is refused.</summary>
    public static Uri? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            && uri.Scheme is "http" or "https"
            && string.IsNullOrEmpty(uri.UserInfo)
            && uri.Query.Length == 0 && uri.Fragment.Length == 0
            ? uri
            : throw new ArgumentException($"Registry mirror '{value}' must be an http:// or https:// URL without credentials, query or fragment.", nameof(value));
    }

    /// <summary>The engine configuration for <paramref name="mirror"/>, or null when there is none.</summary>
    public static string? EngineConfig(string? mirror) =>
        Parse(mirror) is { } uri
            ? JsonSerializer.Serialize(new Dictionary<string, string[]> { ["registry-mirrors"] = [uri.GetLeftPart(UriPartial.Path).TrimEnd('/')] })
            : null;

    /// <summary>Writes (or removes) <c>daemon.json</c> in a server's TLS folder; it takes effect when the server's engine starts.</summary>
    public static void WriteEngineConfig(string folder, string? mirror)
    {
        var path = Path.Combine(folder, ConfigFile);
        if (EngineConfig(mirror) is { } json)
        {
            if (!File.Exists(path) || File.ReadAllText(path) != json)
            {
                var temporary = path + ".tmp";
                File.WriteAllText(temporary, json);
                File.Move(temporary, path, overwrite: true);
            }
        }
        else
        {
            File.Delete(path);
        }
    }
}
