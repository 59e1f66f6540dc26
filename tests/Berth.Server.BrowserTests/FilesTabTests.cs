using System.Security.Cryptography;
using System.Text;
using Berth.Core.Servers;
using Berth.Server.BrowserTests.Infrastructure;
using Berth.Server.BrowserTests.Pages;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Berth.Server.BrowserTests;

/// <summary>The file manager in a real browser: a file dropped on the page lands intact inside the server, is edited, saved and deleted.</summary>
public sealed class FilesTabTests(EnginePanelFixture fixture) : BrowserTestBase(fixture), IClassFixture<EnginePanelFixture>
{
    [Fact]
    public Task AFileDroppedOnThePage_IsListed_IntactInsideTheServer_EditedSavedAndDeleted() => RunAsync(async contexts =>
    {
        var page = await NewPersonAsync(contexts);
        var servers = await new SignInPage(page).SignInToServersAsync(BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);
        await servers.CreateAsync("files box");
        await Expect(servers.StateOf("files box")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = 180_000 });
        await servers.OpenServerAsync("files box");
        var serverId = long.Parse(page.Url.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Files", Exact = true }).ClickAsync();

        // Dropped the way a browser drops a file from the desktop: a drop event carrying a DataTransfer.
        const string content = "PORT=8080\nNAME=Šviesa ąčę\n";
        await page.GetByTestId("files-drop").EvaluateAsync("""
            (zone, text) => {
              const data = new DataTransfer();
              data.items.add(new File([text], "app.env", { type: "text/plain" }));
              zone.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
            }
            """, content);
        var row = page.Locator("[data-testid=files-row][data-name='app.env']");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator(".files-upload.done")).ToHaveCountAsync(1);

        var engine = Fixture.Host.Services.GetRequiredService<ServerContainers>().Host.Containers;
        var sum = await engine.ExecAsync(ServerContainers.ContainerName(serverId), ["sha256sum", "/apps/app.env"], CancellationToken.None);
        Assert.StartsWith(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content))), sum.StandardOutput, StringComparison.Ordinal);

        // Edited and saved in the browser.
        await row.GetByTestId("files-edit").ClickAsync();
        var text = page.GetByTestId("files-text");
        await Expect(text).ToHaveAttributeAsync("data-language", "env");
        await Expect(text.Locator(".cm-line")).ToHaveTextAsync(["PORT=8080", "NAME=Šviesa ąčę", ""]);
        await text.Locator(".cm-content").FillAsync("PORT=9090\n");
        await page.GetByTestId("files-save").ClickAsync();
        Assert.Equal("PORT=9090\n", await Poll.UntilAsync(
            async () => (await engine.ExecAsync(ServerContainers.ContainerName(serverId), ["cat", "/apps/app.env"], CancellationToken.None)).StandardOutput,
            output => output == "PORT=9090\n",
            TimeSpan.FromSeconds(30)));

        // Deleted after typing its name.
        await row.GetByTestId("files-delete").ClickAsync();
        var confirm = page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete" });
        await Expect(confirm).ToBeDisabledAsync();
        await page.Locator("#confirm-typing").FillAsync("app.env");
        await confirm.ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        var gone = await engine.ExecAsync(ServerContainers.ContainerName(serverId), ["test", "-e", "/apps/app.env"], CancellationToken.None);
        Assert.NotEqual(0, gone.ExitCode);
    });

    [Fact]
    public Task ACompose_File_IsHighlighted_SavedAsEdited_AndNotOverwrittenOnceChangedInside() => RunAsync(async contexts =>
    {
        var page = await NewPersonAsync(contexts);
        var servers = await new SignInPage(page).SignInToServersAsync(BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);
        await servers.CreateAsync("yaml box");
        await Expect(servers.StateOf("yaml box")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = 180_000 });
        await servers.OpenServerAsync("yaml box");
        var serverId = long.Parse(page.Url.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        var engine = Fixture.Host.Services.GetRequiredService<ServerContainers>().Host.Containers;
        var container = ServerContainers.ContainerName(serverId);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Files", Exact = true }).ClickAsync();

        // A new file opens in the editor, in the language its name says.
        await page.Locator("#files-new-name").FillAsync("compose.yaml");
        await page.GetByTestId("files-new-file").ClickAsync();
        var editor = page.GetByTestId("files-text");
        await Expect(editor).ToHaveAttributeAsync("data-language", "yaml");
        await editor.Locator(".cm-content").ClickAsync();
        const string compose = "services:\n  web:\n    image: \"nginx:1.27\" # pinned\n";
        await page.Keyboard.InsertTextAsync(compose);

        // Highlighted: the keys, the string and the comment each carry the highlighter's class.
        await Expect(editor.Locator(".tok-propertyName", new() { HasText = "services" })).ToHaveCountAsync(1);
        await Expect(editor.Locator(".tok-propertyName", new() { HasText = "image" })).ToHaveCountAsync(1);
        await Expect(editor.Locator(".tok-string", new() { HasText = "nginx:1.27" })).ToHaveCountAsync(1);
        await Expect(editor.Locator(".tok-comment", new() { HasText = "# pinned" })).ToHaveCountAsync(1);

        await page.GetByTestId("files-save").ClickAsync();
        Assert.Equal(compose, await Poll.UntilAsync(
            async () => (await engine.ExecAsync(container, ["cat", "/apps/compose.yaml"], CancellationToken.None)).StandardOutput,
            output => output == compose,
            TimeSpan.FromSeconds(30)));

        // Changed inside the server after it was opened: saving is refused (409) and the text stays in the editor.
        var changed = await engine.ExecAsync(container, ["sh", "-c", "echo 'services: {}' > /apps/compose.yaml"], CancellationToken.None);
        Assert.Equal(0L, changed.ExitCode);
        await editor.Locator(".cm-content").FocusAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.InsertTextAsync("  db:\n");
        await page.GetByTestId("files-save").ClickAsync();
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "changed since it was opened" })).ToBeVisibleAsync();
        await Expect(editor.Locator(".cm-line", new() { HasText = "db:" })).ToHaveCountAsync(1);
        Assert.Equal("services: {}\n", (await engine.ExecAsync(container, ["cat", "/apps/compose.yaml"], CancellationToken.None)).StandardOutput);
    });
}
