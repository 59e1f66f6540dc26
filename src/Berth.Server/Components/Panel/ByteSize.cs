using System.Globalization;

namespace Berth.Server.Components.Panel;

/// <summary>Bytes as people read them (KiB, MiB, GiB), in the page's culture.</summary>
public static class ByteSize
{
    public static string Format(double bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (1L << 30)).ToString("0.0", CultureInfo.CurrentCulture) + " GiB",
        >= 1L << 20 => (bytes / (1L << 20)).ToString("0.0", CultureInfo.CurrentCulture) + " MiB",
        >= 1024 => (bytes / 1024).ToString("0", CultureInfo.CurrentCulture) + " KiB",
        // A small file is not "0 KiB": a text file of a few bytes is common in /apps.
        _ => bytes.ToString("0", CultureInfo.CurrentCulture) + " B",
    };
}
