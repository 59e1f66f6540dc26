using Berth.Core.Servers;
using Berth.Docker;
using Berth.Server.BrowserTests.Infrastructure;
using Berth.Server.BrowserTests.Pages;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Berth.Server.BrowserTests;

/// <summary>
/// The Stacks tab in a real Chromium against a real running server: a stack made from the static
/// site template, checked (broken YAML gives messages beside the editor), created and brought up
/// with its output shown live. No registry: the busybox test image is loaded into the server's
/// engine under the template's image name, so <c>up</c> finds it there.
/// </summary>
public sealed class StacksTabTests(EnginePanelFixture fixture) : BrowserTestBase(fixture), IClassFixture<EnginePanelFixture>
{
    [Fact]
    public Task AStackFromTheNginxTemplate_IsChecked_Created_AndBroughtUp_WithItsOutput() => RunAsync(async contexts =>
    {
        var page = await NewPersonAsync(contexts);
        var servers = await new SignInPage(page).SignInToServersAsync(BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);
        await servers.CreateAsync("stacks box");
        await Expect(servers.StateOf("stacks box")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = 180_000 });
        await servers.OpenServerAsync("stacks box");
        var serverId = long.Parse(page.Url.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        await LoadTemplateImageAsync(serverId);

        await page.GetByRole(AriaRole.Tab, new() { Name = "Stacks", Exact = true }).ClickAsync();
        var tab = page.GetByTestId("stacks-tab");
        await Expect(tab).ToContainTextAsync("No stacks yet.");

        // The name is checked as it is typed, by the API's rule.
        await page.GetByTestId("stack-new").ClickAsync();
        var name = page.Locator("#stack-name");
        var save = page.GetByTestId("stack-save");
        await name.FillAsync("My Site");
        await Expect(tab.Locator(".mud-input-helper-text.mud-input-error")).ToContainTextAsync("lowercase letters");
        await Expect(save).ToBeDisabledAsync();

        // The template fills the compose file (YAML mode) and the empty name.
        await name.FillAsync("");
        await ChooseTemplateAsync(page, "Static site (nginx)");
        await Expect(name).ToHaveValueAsync("site");
        await Expect(save).ToBeEnabledAsync();
        var compose = page.GetByTestId("stack-compose");
        await Expect(compose).ToHaveAttributeAsync("data-language", "yaml");
        await Expect(compose.Locator(".cm-content")).ToContainTextAsync($"image: {StacksTemplateImage}");

        // Broken YAML: the check's messages appear beside the editor, with their line.
        await compose.Locator(".cm-content").FillAsync("services:\n  web:\n    image: [unclosed\n");
        await page.GetByTestId("stack-check").ClickAsync();
        var messages = page.GetByTestId("stack-messages");
        await Expect(messages.Locator("[data-testid=stack-message][data-severity=error]").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(messages).ToContainTextAsync("line");
        // Saving it is refused with the same messages; nothing is created.
        await save.ClickAsync();
        await Expect(page.GetByTestId("stack-editor-error")).ToContainTextAsync("fix the errors");

        // The template again: valid.
        await ChooseTemplateAsync(page, "Empty");
        await ChooseTemplateAsync(page, "Static site (nginx)");
        await page.GetByTestId("stack-check").ClickAsync();
        await Expect(page.GetByTestId("stack-valid")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await save.ClickAsync();
        var card = page.Locator("[data-testid=stack-card][data-name=site]");
        await Expect(card).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(card).ToHaveAttributeAsync("data-status", "no-containers");
        await Expect(page.GetByTestId("stack-editor")).ToHaveCountAsync(0);
        var engine = Fixture.Host.Services.GetRequiredService<ServerContainers>().Host.Containers;
        var written = await engine.ExecAsync(ServerContainers.ContainerName(serverId), ["cat", "/apps/stacks/site/compose.yaml"], CancellationToken.None);
        Assert.Contains($"image: {StacksTemplateImage}", written.StandardOutput, StringComparison.Ordinal);

        // Up: Compose's output as it comes, then the exit status.
        await card.GetByTestId("stack-action-up").ClickAsync();
        var output = page.GetByTestId("stack-output");
        await Expect(output).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 120_000 });
        await Expect(output.GetByTestId("stack-output-end")).ToHaveTextAsync("Done (exit code 0).");
        await Expect(output.Locator(".console-line[data-stream]").Filter(new() { HasText = "site-web-1" }).First).ToBeVisibleAsync();
        var containers = await engine.ExecAsync(ServerContainers.ContainerName(serverId), ["docker", "ps", "--all", "--filter", "label=com.docker.compose.project=site", "--format", "{{.Names}}"], CancellationToken.None);
        Assert.Contains("site-web-1", containers.StandardOutput, StringComparison.Ordinal);

        // Edited to print a line, saved, brought up again: its logs show the line.
        await card.GetByTestId("stack-edit").ClickAsync();
        await Expect(compose.Locator(".cm-content")).ToContainTextAsync("./site:/usr/share/nginx/html:ro");
        await compose.Locator(".cm-content").FillAsync(
            $"services:\n  web:\n    image: {StacksTemplateImage}\n    pull_policy: never\n    stop_grace_period: 20s\n    ports:\n      - \"8080:80\"\n    command: [\"sh\", \"-c\", \"echo hello-from-web; exec sleep 3600\"]\n");
        await save.ClickAsync();
        await Expect(page.GetByTestId("stack-editor")).ToHaveCountAsync(0);
        Assert.Contains("hello-from-web", (await engine.ExecAsync(ServerContainers.ContainerName(serverId), ["cat", "/apps/stacks/site/compose.yaml"], CancellationToken.None)).StandardOutput, StringComparison.Ordinal);
        await output.GetByRole(AriaRole.Button, new() { Name = "Close the output" }).ClickAsync();
        await Expect(output).ToHaveCountAsync(0);
        await card.GetByTestId("stack-action-up").ClickAsync();
        await Expect(output.GetByTestId("stack-output-end")).ToHaveTextAsync("Done (exit code 0).", new() { Timeout = 120_000 });
        await card.GetByTestId("stack-logs").ClickAsync();
        await page.GetByTestId("stack-logs-show").ClickAsync();
        await Expect(page.GetByTestId("stack-logs-text")).ToContainTextAsync("hello-from-web", new() { Timeout = 30_000 });

        // Its running service, as the monitor sees it, with its published port: a domain for it starts with that port.
        await Expect(card).ToHaveAttributeAsync("data-status", "running", new() { Timeout = 60_000 });
        var addDomain = card.Locator("[data-testid=stack-add-domain][data-port='8080']");
        await Expect(addDomain).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(card.Locator("[data-testid=stack-service][data-service=web]")).ToContainTextAsync(StacksTemplateImage);
        await addDomain.ClickAsync();
        await Expect(page.Locator(".mud-dialog #domain-target-port")).ToHaveValueAsync("8080");
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);

        // A file changed on disk since the editor read it: saving is refused with the conflict, the
        // typed text stays until the files are read again.
        await card.GetByTestId("stack-edit").ClickAsync();
        await Expect(compose.Locator(".cm-content")).ToContainTextAsync("hello-from-web");
        var changed = await engine.ExecAsync(ServerContainers.ContainerName(serverId), ["sh", "-c", "echo '# changed elsewhere' >> /apps/stacks/site/compose.yaml"], CancellationToken.None);
        Assert.Equal(0, changed.ExitCode);
        await save.ClickAsync();
        await Expect(page.GetByTestId("stack-editor-error")).ToContainTextAsync("changed since they were read");
        await page.GetByTestId("stack-reload").ClickAsync();
        await Expect(page.GetByTestId("stack-editor-error")).ToHaveCountAsync(0);
        await Expect(compose.Locator(".cm-content")).ToContainTextAsync("# changed elsewhere");
        await page.GetByTestId("stack-close").ClickAsync();

        // A second action while one runs: the refusal names the running one. Stop waits for the
        // grace period (sleep as PID 1 ignores SIGTERM).
        await card.GetByTestId("stack-action-stop").ClickAsync();
        await Expect(output).ToHaveAttributeAsync("data-state", "running");
        await card.GetByTestId("stack-action-restart").ClickAsync();
        await Expect(page.GetByTestId("stack-action-error")).ToContainTextAsync("Stack site is busy: \u201cStop\u201d is still running.");
        await Expect(output.GetByTestId("stack-output-end")).ToHaveTextAsync("Done (exit code 0).", new() { Timeout = 120_000 });

        // Deleted after a confirmation that says where the folder goes.
        await card.GetByTestId("stack-delete").ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await Expect(dialog).ToContainTextAsync("/apps/.trash/stacks/");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(card).ToHaveCountAsync(0, new() { Timeout = 120_000 });
        await Expect(tab).ToContainTextAsync("No stacks yet.");
        var trash = await engine.ExecAsync(ServerContainers.ContainerName(serverId), ["ls", "/apps/.trash/stacks"], CancellationToken.None);
        Assert.StartsWith("site-", trash.StandardOutput, StringComparison.Ordinal);
    });

    private const string StacksTemplateImage = "nginx:alpine";

    private static async Task ChooseTemplateAsync(IPage page, string title)
    {
        await page.GetByTestId("stack-template").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = title }).ClickAsync();
        await Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }

    /// <summary>Puts the busybox test image into the server's engine (save | load) and names it as the template's image.</summary>
    private async Task LoadTemplateImageAsync(long serverId)
    {
        var containers = Fixture.Host.Services.GetRequiredService<ServerContainers>();
        var client = await containers.ConnectInnerAsync(serverId, CancellationToken.None);
        Assert.NotNull(client);
        using var inner = new DockerEngine(client, new ResourceLabels(TestDocker.LabelPrefix, TestDocker.RunSession));
        using var host = TestDocker.Connect();
        var busybox = await BusyboxImage.EnsureAsync(host.Images, CancellationToken.None);
        await host.Images.CopyToAsync(busybox, inner.Images, CancellationToken.None);
        var tagged = await containers.Host.Containers.ExecAsync(ServerContainers.ContainerName(serverId), ["docker", "tag", busybox, StacksTemplateImage], CancellationToken.None);
        Assert.True(tagged.ExitCode == 0, tagged.StandardError);
    }
}
