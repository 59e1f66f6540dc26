using Berth.Server.Components.Panel;

namespace Berth.Server.Tests.Panel;

/// <summary>Sizes on the panel: a file of a few bytes was shown as "0 KiB" in the Files tab.</summary>
public sealed class ByteSizeTests
{
    [Theory]
    [InlineData(0, "en", "0 B")]
    [InlineData(42, "en", "42 B")]
    [InlineData(1023, "en", "1023 B")]
    [InlineData(1024, "en", "1 KiB")]
    [InlineData(3 * 1024 * 1024 / 2, "en", "1.5 MiB")]
    [InlineData(3 * 1024 * 1024 / 2, "lt", "1,5 MiB")]
    [InlineData(5L * 1024 * 1024 * 1024, "en", "5.0 GiB")]
    public void Format_ReadsAsPeopleRead_InThePagesCulture(long bytes, string culture, string expected) =>
        Assert.Equal(expected, PanelLanguage.In(culture, () => ByteSize.Format(bytes)));
}
