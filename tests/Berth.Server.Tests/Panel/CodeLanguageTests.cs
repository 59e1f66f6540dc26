using Berth.Server.Components.Panel;

namespace Berth.Server.Tests.Panel;

/// <summary>The code editor highlights by the file's name: the languages the issue lists, plain text otherwise.</summary>
public sealed class CodeLanguageTests
{
    [Theory]
    [InlineData("/compose.yaml", CodeLanguage.Yaml)]
    [InlineData("/site/docker-compose.YML", CodeLanguage.Yaml)]
    [InlineData("/package.json", CodeLanguage.Json)]
    [InlineData("/deploy.sh", CodeLanguage.Shell)]
    [InlineData("/root/.bashrc", CodeLanguage.Shell)]
    [InlineData("/app/Dockerfile", CodeLanguage.Dockerfile)]
    [InlineData("/app/Dockerfile.dev", CodeLanguage.Dockerfile)]
    [InlineData("/app/web.dockerfile", CodeLanguage.Dockerfile)]
    [InlineData("/.env", CodeLanguage.Env)]
    [InlineData("/.env.production", CodeLanguage.Env)]
    [InlineData("/app.env", CodeLanguage.Env)]
    [InlineData("/README.md", CodeLanguage.Markdown)]
    [InlineData("/notes.txt", CodeLanguage.Text)]
    [InlineData("/Makefile", CodeLanguage.Text)]
    [InlineData("/yaml", CodeLanguage.Text)]
    [InlineData("/envoy.conf", CodeLanguage.Text)]
    public void ChosenByTheFilesName(string path, string expected) => Assert.Equal(expected, CodeLanguage.ForFileName(path));
}
