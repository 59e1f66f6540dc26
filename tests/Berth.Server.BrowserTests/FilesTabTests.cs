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
        await Expect(text).ToHaveValueAsync(content);
        await text.FillAsync("PORT=9090\n");
        await page.GetByTestId("files-save").ClickAsync();
        await Poll.UntilAsync(
            async () => (await engine.ExecAsync(ServerContainers.ContainerName(serverId), ["cat", "/apps/app.env"], CancellationToken.None)).StandardOutput,
            output => output == "PORT=9090\n",
            TimeSpan.FromSeconds(30));

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
}
