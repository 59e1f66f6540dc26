using Berth.Core.Domains;

namespace Berth.Core.Tests.Domains;

public sealed class DomainNameRulesTests
{
    private static readonly DomainsOptions Options = new() { AppsDomain = "apps.example.net", ControlHost = "panel.example.net" };

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("Example.COM", "example.com")]
    [InlineData("  shop.example.org  ", "shop.example.org")]
    [InlineData("a.b.c", "a.b.c")]
    [InlineData("my-app_1.example.com", "my-app_1.example.com")]
    [InlineData("abcdefghijabcdefghijabcdefghijabcde.com", "abcdefghijabcdefghijabcdefghijabcde.com")]
    public void Check_AcceptsGoodNames_FoldedToLowerCase(string input, string expected)
    {
        var check = DomainNameRules.Check(input, Options);
        Assert.True(check.Valid, check.Message);
        Assert.Equal(expected, check.Name);
        Assert.False(check.UnderAppsDomain);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a.bc")]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdef.com")]
    [InlineData("localhost")]
    [InlineData("examplecom")]
    [InlineData("example..com")]
    [InlineData("1example.com")]
    [InlineData("example.com-")]
    [InlineData("-example.com")]
    [InlineData(".example.com")]
    [InlineData("example.com.")]
    [InlineData("example.c0m1")]
    [InlineData("_acme.example.com")]
    [InlineData("exa mple.com")]
    [InlineData("exa/mple.com")]
    [InlineData("exa*mple.com")]
    [InlineData("*.example.com")]
    [InlineData("example.com:80")]
    [InlineData("pavyzdys\n.lt")]
    [InlineData("šviesa.lt")]
    [InlineData("xn--viesa-9ua.lt1")]
    [InlineData("ex\u0430mple.com")]
    [InlineData("ex\u0000ample.com")]
    [InlineData("exämple.com")]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.255")]
    [InlineData("[::1]")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("a.b.apps.example.net")]
    [InlineData("app-.example.com")]
    [InlineData("app.-example.com")]
    [InlineData("http://app.example.com")]
    [InlineData("https://app.example.com")]
    public void Check_RefusesBadNames_AsInvalid(string? input)
    {
        var check = DomainNameRules.Check(input, Options);
        Assert.False(check.Valid, $"{input} was accepted");
        Assert.Equal(DomainNameRules.InvalidCode, check.Code);
        Assert.False(string.IsNullOrWhiteSpace(check.Message));
    }

    [Theory]
    [InlineData("app-.example.com", DomainNameRules.Reasons.LabelHyphen)]
    [InlineData("my.-app.com", DomainNameRules.Reasons.LabelHyphen)]
    [InlineData("http://app.example.com", DomainNameRules.Reasons.Scheme)]
    [InlineData("HTTPS://app.example.com/", DomainNameRules.Reasons.Scheme)]
    [InlineData("app.example.com/", DomainNameRules.Reasons.Characters)]
    [InlineData("a.bc", DomainNameRules.Reasons.Length)]
    [InlineData("", DomainNameRules.Reasons.Required)]
    [InlineData("examplecom", DomainNameRules.Reasons.Dot)]
    [InlineData("example..com", DomainNameRules.Reasons.DoubleDot)]
    [InlineData("1example.com", DomainNameRules.Reasons.Ends)]
    [InlineData("a.b.apps.example.net", DomainNameRules.Reasons.AppsOneLabel)]
    [InlineData("panel.example.net", DomainNameRules.Reasons.Reserved)]
    public void Check_NamesTheRuleThatRefused(string input, string reason)
    {
        var check = DomainNameRules.Check(input, Options);
        Assert.False(check.Valid);
        Assert.Equal(reason, check.Reason);
    }

    [Theory]
    [InlineData("my-app.example.com")]
    [InlineData("a-b-c.d-e.com")]
    public void Check_AcceptsHyphensInsideLabels(string input) => Assert.True(DomainNameRules.Check(input, Options).Valid);

    [Fact]
    public void Check_CountsLengthAfterTrimming_FiveAndThirtyNineAreTheBounds()
    {
        Assert.True(DomainNameRules.Check("a.bcd", Options).Valid);
        Assert.False(DomainNameRules.Check("a.bc", Options).Valid);
        Assert.True(DomainNameRules.Check(new string('a', 35) + ".com", Options).Valid);
        Assert.False(DomainNameRules.Check(new string('a', 36) + ".com", Options).Valid);
        Assert.True(DomainNameRules.Check("   " + new string('a', 35) + ".com   ", Options).Valid);
    }

    [Theory]
    [InlineData("panel.example.net")]
    [InlineData("PANEL.Example.Net")]
    [InlineData("www.PANEL.example.net")]
    [InlineData("login.panel.example.net")]
    [InlineData("apps.example.net")]
    [InlineData(" Apps.Example.NET ")]
    public void Check_RefusesThePlatformsOwnNames_AsReserved(string input)
    {
        var check = DomainNameRules.Check(input, Options);
        Assert.False(check.Valid);
        Assert.Equal(DomainNameRules.ReservedCode, check.Code);
    }

    [Theory]
    [InlineData("myapp.apps.example.net", "myapp.apps.example.net")]
    [InlineData("My-App.APPS.example.net", "my-app.apps.example.net")]
    public void Check_AcceptsOneLabelUnderTheAppsDomain_WithNoDnsNeeded(string input, string expected)
    {
        var check = DomainNameRules.Check(input, Options);
        Assert.True(check.Valid, check.Message);
        Assert.Equal(expected, check.Name);
        Assert.True(check.UnderAppsDomain);
        Assert.Contains("no DNS", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WithDefaultOptions_ReservesAppsLocalhost_AndAllowsNamesUnderIt()
    {
        var defaults = new DomainsOptions();
        Assert.Equal(DomainNameRules.ReservedCode, DomainNameRules.Check("apps.localhost", defaults).Code);
        Assert.True(DomainNameRules.Check("blog.apps.localhost", defaults).UnderAppsDomain);
    }
}
