using Berth.Core.Forwards;
using Berth.Server.Components.Panel;
using Berth.Server.Tests.Panel;
using Microsoft.Extensions.Localization;

namespace Berth.Server.Tests.Forwards;

/// <summary>Every refusal of a forward has its own text in Lithuanian; English readers get the service's precise message.</summary>
public sealed class TranslatingForwardErrorsTests
{
    private static readonly IStringLocalizer Panel = PanelLanguage.Text;

    [Theory]
    [InlineData(ForwardRules.PortOutsidePool)]
    [InlineData(ForwardRules.PortTaken)]
    [InlineData(ForwardRules.InvalidPort)]
    [InlineData(ForwardRules.InvalidProtocol)]
    [InlineData(ForwardRules.DescriptionTooLong)]
    [InlineData(ForwardRules.InvalidDescription)]
    [InlineData(ForwardRules.ForwardLimit)]
    [InlineData(ForwardRules.PoolExhausted)]
    [InlineData("FORWARD_NOT_FOUND")]
    public void EachCode_HasLithuanianAndEnglishText(string code)
    {
        var lithuanian = PanelLanguage.In("lt", () => PanelErrors.Text(Panel, code, "english message"));
        Assert.NotEqual("english message", lithuanian);
        Assert.NotEqual("Error." + code, PanelLanguage.In("en", () => Panel["Error." + code].Value));
        Assert.Equal("english message", PanelLanguage.In("en", () => PanelErrors.Text(Panel, code, "english message")));
    }
}
