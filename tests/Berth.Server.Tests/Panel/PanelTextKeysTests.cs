using System.Collections;
using System.Globalization;
using System.Resources;
using Berth.Server.Components;

namespace Berth.Server.Tests.Panel;

/// <summary>Every English text of the panel has its Lithuanian translation.</summary>
public sealed class PanelTextKeysTests
{
    [Fact]
    public void EveryEnglishKey_HasALithuanianText()
    {
        var resources = new ResourceManager(typeof(PanelText));
        var english = Keys(resources, CultureInfo.InvariantCulture);
        var lithuanian = Keys(resources, CultureInfo.GetCultureInfo("lt"));
        Assert.Contains("Stacks.Title", english);
        Assert.Contains("ServerTabs.Stacks", lithuanian);
        Assert.Empty(english.Except(lithuanian).Order(StringComparer.Ordinal));
    }

    private static HashSet<string> Keys(ResourceManager resources, CultureInfo culture) =>
        resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)!
            .Cast<DictionaryEntry>()
            .Where(e => e.Value is string { Length: > 0 })
            .Select(e => (string)e.Key)
            .ToHashSet(StringComparer.Ordinal);
}
