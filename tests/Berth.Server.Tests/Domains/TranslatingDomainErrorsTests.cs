using System.Reflection;
using Berth.Core.Domains;
using Berth.Server.Components.Panel;
using Berth.Server.Tests.Panel;
using Microsoft.Extensions.Localization;

namespace Berth.Server.Tests.Domains;

/// <summary>A refused domain name keeps its reason in Lithuanian (it once became one generic sentence for every rule).</summary>
public sealed class TranslatingDomainErrorsTests
{
    private static readonly IStringLocalizer Panel = PanelLanguage.Text;

    public static TheoryData<string> Reasons => [.. typeof(DomainNameRules.Reasons)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (string)f.GetRawConstantValue()!)];

    [Theory]
    [MemberData(nameof(Reasons))]
    public void EveryRule_HasItsOwnLithuanianText(string reason)
    {
        var check = DomainNameRules.Check(ExampleRefusedFor(reason), new DomainsOptions { AppsDomain = "apps.localhost", ControlHost = "panel.localhost" });
        Assert.Equal(reason, check.Reason);

        var lithuanian = PanelLanguage.In("lt", () => PanelErrors.Text(Panel, check.Code!, check.Message, check.Reason));
        var generic = PanelLanguage.In("lt", () => Panel["Error." + check.Code].Value);

        Assert.NotEqual(check.Message, lithuanian);
        Assert.True(reason == DomainNameRules.Reasons.Reserved || lithuanian != generic, $"{reason}: only the generic text \"{generic}\"");
        Assert.Equal(check.Message, PanelLanguage.In("en", () => PanelErrors.Text(Panel, check.Code!, check.Message, check.Reason)));
    }

    private static string ExampleRefusedFor(string reason) => reason switch
    {
        DomainNameRules.Reasons.Required => "",
        DomainNameRules.Reasons.Length => "a.bc",
        DomainNameRules.Reasons.Scheme => "http://app.example.com",
        DomainNameRules.Reasons.Characters => "šviesa.lt",
        DomainNameRules.Reasons.Dot => "examplecom",
        DomainNameRules.Reasons.DoubleDot => "example..com",
        DomainNameRules.Reasons.Ends => "1example.com",
        DomainNameRules.Reasons.LabelHyphen => "app-.example.com",
        DomainNameRules.Reasons.AppsOneLabel => "a.b.apps.localhost",
        DomainNameRules.Reasons.Reserved => "panel.localhost",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "a new rule needs an example here"),
    };
}
