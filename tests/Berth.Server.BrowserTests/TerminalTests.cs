using Berth.Server.BrowserTests.Infrastructure;
using Berth.Server.BrowserTests.Pages;
using Berth.Server.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Berth.Server.BrowserTests;

/// <summary>The web terminal in a real Chromium, against a real server's bash.</summary>
public sealed class TerminalTests(EnginePanelFixture fixture) : BrowserTestBase(fixture), IClassFixture<EnginePanelFixture>
{
    [Fact]
    public Task TerminalTab_RunsACommand_WithLithuanianLetters() => RunAsync(async contexts =>
    {
        var page = await NewPersonAsync(contexts);
        var servers = await new SignInPage(page).SignInToServersAsync(BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);
        await servers.CreateAsync("terminal box");
        await Expect(servers.StateOf("terminal box")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = 180_000 });
        var server = await servers.OpenServerAsync("terminal box");
        await Expect(server.State).ToHaveAttributeAsync("data-state", "running");

        var terminal = new TerminalTab(page);
        await terminal.OpenAsync();
        await Expect(terminal.Rows.First).ToContainTextAsync("/apps#", new() { Timeout = 30_000 });
        await terminal.RunAsync("echo $((6*7)) ąčę");
        await Expect(terminal.Rows.First).ToContainTextAsync("42 ąčę", new() { Timeout = 20_000 });
    });
}
