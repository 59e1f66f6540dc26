using Berth.Core.Servers;
using Berth.Docker;
using Xunit;

namespace Berth.TestUtilities;

/// <summary>A tenant's web app in a real virtual server: busybox httpd on a port of the server (80 unless told; host networking inside it).</summary>
public static class ServerWebApp
{
    /// <summary>Starts the app serving <paramref name="page"/> and waits until it answers on the server's address.</summary>
    public static async Task RunAsync(ServerContainers containers, long serverId, string page, int port = 80)
    {
        ArgumentNullException.ThrowIfNull(containers);
        var client = await containers.ConnectInnerAsync(serverId, CancellationToken.None)
            ?? throw new InvalidOperationException($"server {serverId} has no inner engine to run the app in");
        using var inner = new DockerEngine(client, new ResourceLabels(TestDocker.LabelPrefix, TestDocker.RunSession));
        string busybox;
        using (var host = TestDocker.Connect())
        {
            busybox = await BusyboxImage.EnsureAsync(host.Images, CancellationToken.None);
            await host.Images.CopyToAsync(busybox, inner.Images, CancellationToken.None);
        }

        var id = await inner.Containers.CreateAsync(
            new ContainerSpec
            {
                Image = busybox,
                Network = "host",
                Command = ["sh", "-c", $"mkdir -p /www && echo \"{page}\" > /www/index.html && exec httpd -f -p {port} -h /www"],
            },
            CancellationToken.None);
        await inner.Containers.StartAsync(id, CancellationToken.None);

        var address = (await containers.FindAsync(serverId, CancellationToken.None))!.Address!;
        using var direct = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        // httpd takes a moment to listen: a refused or timed-out request means "not yet".
        var body = await Poll.UntilAsync(
            async () =>
            {
                try
                {
                    return await direct.GetStringAsync(new Uri($"http://{address}:{port}/"));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return $"not answering yet: {e.Message}";
                }
            },
            b => b.Contains(page, StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(200));
        Assert.Contains(page, body, StringComparison.Ordinal);
    }
}
