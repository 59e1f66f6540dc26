using Berth.Core.Errors;
using Berth.Core.Servers;

namespace Berth.Core.Tests.Servers;

public sealed class ServerNameTests
{
    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("My Web App", "My Web App")]
    [InlineData("  trimmed  ", "trimmed")]
    [InlineData("Šviesa ąčęėįšųūž", "Šviesa ąčęėįšųūž")]
    [InlineData("ĄČĘĖĮŠŲŪŽ", "ĄČĘĖĮŠŲŪŽ")]
    [InlineData("api_server_2", "api_server_2")]
    [InlineData("Demo (test)", "Demo (test)")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    public void Normalize_AcceptsValidNames(string input, string expected)
    {
        Assert.Equal(expected, ServerName.Normalize(input));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("   ab   ")]
    [InlineData("1234567890123456789012345678901")]
    [InlineData("semi;colon")]
    [InlineData("$(reboot)")]
    [InlineData("dash-name")]
    [InlineData("dot.name")]
    [InlineData("new\nline")]
    [InlineData("tab\tname")]
    [InlineData("emoji 🚀 name")]
    [InlineData("two  spaces")]
    [InlineData("quote'name")]
    [InlineData("path/name")]
    public void Normalize_RefusesOtherNames_WithACode(string? input)
    {
        var error = Assert.Throws<BerthException>(() => ServerName.Normalize(input));

        Assert.Equal("INVALID_SERVER_NAME", error.Code);
        Assert.Equal(ErrorKind.Invalid, error.Kind);
    }

    [Fact]
    public void Normalize_CountsCharactersNotBytes()
    {
        // 30 Lithuanian letters are 60 UTF-8 bytes and still a valid name.
        Assert.Equal(30, ServerName.Normalize(new string('ž', 30)).Length);
    }
}
