using Berth.Server.Components.Panel;
using Microsoft.Extensions.Localization;

namespace Berth.Server.Tests.Panel;

/// <summary>
/// Docker's status texts on the panel: aged to now (an "Up Less than a second" stayed on screen for
/// minutes) and in the reader's language (they appeared in English on the Lithuanian panel).
/// </summary>
public sealed class ContainerStatusTextTests
{
    private static readonly IStringLocalizer Panel = PanelLanguage.Text;

    private static readonly DateTimeOffset Now = new(2026, 12, 4, 18, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("Up Less than a second", 300, "en", "Up 5 minutes")]
    [InlineData("Up Less than a second", 0, "en", "Up Less than a second")]
    [InlineData("Up 1 second", 1, "en", "Up 2 seconds")]
    [InlineData("Up 2 minutes (healthy)", 3480, "en", "Up About an hour (healthy)")]
    [InlineData("Up 3 hours", 0, "en", "Up 3 hours")]
    [InlineData("Up 47 hours", 7200, "en", "Up 2 days")]
    [InlineData("Exited (0) 5 seconds ago", 120, "en", "Exited (0) 2 minutes ago")]
    [InlineData("Exited (137) 3 hours ago", 0, "en", "Exited (137) 3 hours ago")]
    [InlineData("Restarting (1) 2 seconds ago", 0, "en", "Restarting (1) 2 seconds ago")]
    [InlineData("Created", 600, "en", "Created")]
    [InlineData("Up Less than a second", 300, "lt", "Veikia 5 min.")]
    [InlineData("Up 2 minutes (healthy)", 3480, "lt", "Veikia ~1 val. (sveikas)")]
    [InlineData("Up 5 minutes (Paused)", 0, "lt", "Veikia 5 min. (pristabdytas)")]
    [InlineData("Exited (137) 3 hours ago", 0, "lt", "Išjungtas (137) prieš 3 val.")]
    [InlineData("Created", 0, "lt", "Sukurtas")]
    [InlineData("No container", 0, "lt", "Nėra konteinerio")]
    [InlineData("Creation failed", 0, "lt", "Sukurti nepavyko")]
    [InlineData("The Docker engine is not answering", 0, "lt", "Docker variklis neatsako")]
    [InlineData("Up for a while", 0, "lt", "Up for a while")]
    [InlineData("", 0, "lt", "")]
    public void Render_AgesTheEnginesText_InTheReadersLanguage(string status, int secondsSinceSeen, string culture, string expected)
    {
        var shown = PanelLanguage.In(culture, () => ContainerStatusText.Render(Panel, status, Now.AddSeconds(-secondsSinceSeen), Now));

        Assert.Equal(expected, shown);
    }

    [Fact]
    public void Render_WithoutASeenTime_AddsNothing()
    {
        Assert.Equal("Up 3 minutes", PanelLanguage.In("en", () => ContainerStatusText.Render(Panel, "Up 3 minutes", null, Now)));
    }

    [Fact]
    public void Duration_ReadBack_GivesTheSameText_ForEveryStepOfTheEnginesScale()
    {
        // Every text HumanDuration writes, from under a second to years, parses back to a duration
        // that is written the same way: nothing is lost between the engine, the row and the panel.
        var durations = Enumerable.Range(0, 400).Select(i => TimeSpan.FromSeconds(Math.Pow(1.07, i) - 1));
        foreach (var duration in durations)
        {
            var text = PanelLanguage.In("en", () => ContainerStatusText.Duration(Panel, duration));
            var back = ContainerStatusText.ParseDuration(text);
            Assert.True(back is not null, $"{duration}: \"{text}\" is not read back");
            Assert.Equal(text, PanelLanguage.In("en", () => ContainerStatusText.Duration(Panel, back.Value)));
        }
    }
}
