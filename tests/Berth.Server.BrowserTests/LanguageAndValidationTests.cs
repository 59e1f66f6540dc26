using Berth.Server.BrowserTests.Infrastructure;
using Berth.Server.BrowserTests.Pages;
using Berth.Server.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Berth.Server.BrowserTests;

/// <summary>The language switch (remembered in a cookie) and the messages people see when input is refused.</summary>
public sealed class LanguageAndValidationTests(PanelFixture fixture) : BrowserTestBase(fixture), IClassFixture<PanelFixture>
{
    [Fact]
    public Task SwitchingToLithuanian_TranslatesThePanel_AndIsRemembered() => RunAsync(async contexts =>
    {
        var page = await NewPersonAsync(contexts);
        await page.GotoAsync("/signin");
        await Expect(page.Locator("h2")).ToHaveTextAsync("Sign in");

        await page.GetByRole(AriaRole.Link, new() { Name = "Lietuvių" }).ClickAsync();
        await Expect(page.Locator("h2")).ToHaveTextAsync("Prisijungimas");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "lt");

        // Remembered: a new visit, and the live pages after signing in, are in Lithuanian too.
        await page.GotoAsync("/signin");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Prisijungti" })).ToBeVisibleAsync();
        await page.GetByLabel("El. paštas").FillAsync(BerthTestHost.AdminEmail);
        await page.GetByLabel("Slaptažodis").FillAsync(BerthTestHost.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Prisijungti" }).ClickAsync();
        var servers = new ServersPage(page);
        await servers.WaitUntilLiveAsync();
        await Expect(servers.Heading).ToHaveTextAsync("Serveriai");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Naujas serveris" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await servers.WaitUntilLiveAsync();
        await Expect(servers.Heading).ToHaveTextAsync("Servers");
    });

    [Fact]
    public Task AWrongPassword_AndABadRegistrationCode_GetFriendlyMessages() => RunAsync(async contexts =>
    {
        var page = await NewPersonAsync(contexts);
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();
        await signIn.SignInAsync(BerthTestHost.AdminEmail, "not-the-password");
        await Expect(signIn.Error).ToHaveTextAsync("The email or password is not correct.");
        await Expect(page.GetByLabel("Password")).ToHaveValueAsync("");

        var signUp = new SignUpPage(page);
        await signUp.OpenAsync();
        await signUp.SignUpAsync("ZZZZZZZZ", "someone@example.com", "someone-password-1");
        await Expect(signUp.Error).ToContainTextAsync("This registration code is not valid");
    });

    [Fact]
    public Task RepeatedWrongPasswords_AreThrottled_WithAMessageSayingWhenToTryAgain() => RunAsync(async contexts =>
    {
        var page = await NewPersonAsync(contexts);
        var signIn = new SignInPage(page);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await signIn.OpenAsync();
            await signIn.SignInAsync("guesser@example.com", $"guess-number-{attempt}");
            await Expect(signIn.Error).ToHaveTextAsync("The email or password is not correct.");
        }

        await signIn.OpenAsync();
        await signIn.SignInAsync("guesser@example.com", "guess-number-6");
        await Expect(signIn.Error).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Too many attempts\. Try again in \d+ seconds\.$"));
    });

    [Fact]
    public Task ServerNames_AreCheckedAsTheyAreTyped_WithTheApisRules() => RunAsync(async contexts =>
    {
        var page = await NewPersonAsync(contexts);
        var servers = await new SignInPage(page).SignInToServersAsync(BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);
        await servers.OpenNewServerDialogAsync();

        await servers.TypeNameAsync("ab");
        await Expect(servers.NameError).ToHaveTextAsync("A server name has 3 to 30 characters.");
        // Create stays enabled (Enter after a paste must work) and refuses what the field shows.
        await servers.CreateButton.ClickAsync();
        await Expect(servers.NameError).ToHaveTextAsync("A server name has 3 to 30 characters.");
        await Expect(servers.Row("ab")).ToHaveCountAsync(0);

        await servers.TypeNameAsync("web<script>");
        await Expect(servers.NameError).ToHaveTextAsync("A server name may contain letters, digits, spaces, underscores and parentheses only.");

        await servers.TypeNameAsync("šeimos svetainė");
        await Expect(servers.NameError).ToHaveCountAsync(0);
        await Expect(servers.CreateButton).ToBeEnabledAsync();
    });

    [Fact]
    public Task ANameSubmittedRightAfterTyping_IsTakenWhole_NotAsOfTheLastCheck() => RunAsync(async contexts =>
    {
        var page = await NewPersonAsync(contexts);
        var servers = await new SignInPage(page).SignInToServersAsync(BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);

        // The check runs after a pause in typing; "quick" is checked and valid, the rest is submitted at
        // once, before its own check (a fast typist pressing Enter, or clicking Create).
        await servers.OpenNewServerDialogAsync();
        await servers.TypeNameAsync("quick");
        await Expect(servers.CreateButton).ToBeEnabledAsync();
        await servers.NameField.PressSequentiallyAsync(" enter");
        await servers.NameField.PressAsync("Enter");
        await Expect(servers.Row("quick enter")).ToBeVisibleAsync();

        await servers.OpenNewServerDialogAsync();
        await servers.TypeNameAsync("quick");
        await Expect(servers.CreateButton).ToBeEnabledAsync();
        await servers.NameField.PressSequentiallyAsync(" click");
        await servers.CreateButton.ClickAsync();
        await Expect(servers.Row("quick click")).ToBeVisibleAsync();
        await Expect(servers.Row("quick")).ToHaveCountAsync(0);
    });

    [Fact]
    public Task DomainNames_AreCheckedAsTheyAreTyped_IncludingNamesAlreadyInUse() => RunAsync(async contexts =>
    {
        var ownerId = await Fixture.CreateUserAsync("gina@example.com", "gina-password-1");
        var serverId = await Fixture.AddServerRowAsync(ownerId, "gina site");
        var page = await NewPersonAsync(contexts);
        await new SignInPage(page).SignInToServersAsync("gina@example.com", "gina-password-1");
        await page.GotoAsync($"/servers/{serverId}");
        var server = new ServerPage(page);
        await server.WaitUntilLiveAsync();
        await server.AddDomainAsync("blog.gina.test");

        await server.OpenAddDomainAsync();
        await server.TypeDomainAsync("abc");
        await Expect(server.DomainError).ToHaveTextAsync("A domain name has 5 to 39 characters.");
        await server.AddDomainSubmit.ClickAsync();
        await Expect(server.DomainError).ToHaveTextAsync("A domain name has 5 to 39 characters.");
        await Expect(server.DomainRow("abc")).ToHaveCountAsync(0);
        await server.TypeDomainAsync("app-.gina.test");
        await Expect(server.DomainError).ToHaveTextAsync("No part of a domain name between dots may start or end with '-'.");
        await server.TypeDomainAsync("http://shop.gina.test");
        await Expect(server.DomainError).ToHaveTextAsync("Leave out http:// or https://: the name alone, e.g. app.example.com.");
        await server.TypeDomainAsync("blog.gina.test");
        await Expect(server.DomainError).ToHaveTextAsync("\"blog.gina.test\" is already used on this platform.");
        await server.TypeDomainAsync("shop.gina.test");
        await Expect(server.DomainError).ToHaveCountAsync(0);
        await Expect(server.AddDomainSubmit).ToBeEnabledAsync();
    });

    [Fact]
    public Task ANamePastedAndEnteredAtOnce_IsTaken_AndEscapeClosesDialogs() => RunAsync(async contexts =>
    {
        var ownerId = await Fixture.CreateUserAsync("hugo@example.com", "hugo-password-1");
        var page = await NewPersonAsync(contexts);
        var servers = await new SignInPage(page).SignInToServersAsync("hugo@example.com", "hugo-password-1");

        // Filled in one step (a paste) and Enter at once, before any check ran: the server is created.
        await servers.OpenNewServerDialogAsync();
        await servers.NameField.FillAsync("pasted name");
        await servers.NameField.PressAsync("Enter");
        await Expect(servers.Row("pasted name")).ToBeVisibleAsync();

        await servers.OpenNewServerDialogAsync();
        await Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);

        var serverId = await Fixture.AddServerRowAsync(ownerId, "hugo site");
        await page.GotoAsync($"/servers/{serverId}");
        var server = new ServerPage(page);
        await server.WaitUntilLiveAsync();
        await server.OpenAddDomainAsync();
        await server.DomainField.FillAsync("pasted.hugo.test");
        await server.DomainField.PressAsync("Enter");
        await Expect(server.DomainRow("pasted.hugo.test")).ToBeVisibleAsync();
    });

    [Fact]
    public Task ADomainRefusedInLithuanian_KeepsItsReason() => RunAsync(async contexts =>
    {
        var ownerId = await Fixture.CreateUserAsync("ieva@example.com", "ieva-password-1");
        var serverId = await Fixture.AddServerRowAsync(ownerId, "ievos svetaine");
        var page = await NewPersonAsync(contexts);
        await page.GotoAsync("/signin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Lietuvių" }).ClickAsync();
        await page.GetByLabel("El. paštas").FillAsync("ieva@example.com");
        await page.GetByLabel("Slaptažodis").FillAsync("ieva-password-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Prisijungti" }).ClickAsync();
        await new ServersPage(page).WaitUntilLiveAsync();
        await page.GotoAsync($"/servers/{serverId}");
        var server = new ServerPage(page);
        await server.WaitUntilLiveAsync();

        await server.OpenAddDomainAsync();
        await server.TypeDomainAsync("abc");
        await Expect(server.DomainError).ToHaveTextAsync("Domeno vardą sudaro nuo 5 iki 39 simbolių.");
        await server.TypeDomainAsync("app-.ieva.test");
        await Expect(server.DomainError).ToHaveTextAsync("Nė viena domeno vardo dalis tarp taškų negali prasidėti ar baigtis „-“.");
    });

    [Fact]
    public Task AtPhoneWidth_TheSignInFormAndTheServersListFit() => RunAsync(async contexts =>
    {
        var page = await NewPersonAsync(contexts, phone: true);
        var servers = await new SignInPage(page).SignInToServersAsync(BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);
        await Expect(servers.Heading).ToBeVisibleAsync();
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        Assert.False(overflow, "the page scrolls sideways at phone width");
    });
}
