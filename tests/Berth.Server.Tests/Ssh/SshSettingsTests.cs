using System.Net;
using System.Net.Sockets;
using Berth.Server.Cli;
using Berth.Server.Hosting;

namespace Berth.Server.Tests.Ssh;

/// <summary><c>--ssh-listen</c> and <c>--ssh</c> as <c>berth serve</c> reads them; a busy port is one line and exit code 2.</summary>
public sealed class SshSettingsTests
{
    [Theory]
    [InlineData("127.0.0.1:2222", "127.0.0.1:2222")]
    [InlineData(" 0.0.0.0:22 ", "0.0.0.0:22")]
    [InlineData("[::1]:2200", "[::1]:2200")]
    public void SshListen_ParsesAnAddressAndPort(string text, string expected) =>
        Assert.Equal(expected, ServeSettings.ParseSshListen(text)!.ToString());

    [Fact]
    public void SshListen_Off_TurnsTheEntryOff() => Assert.Null(ServeSettings.ParseSshListen("off"));

    [Theory]
    [InlineData("2222")]
    [InlineData("localhost:2222")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("::1:2222")]
    [InlineData("")]
    public void SshListen_Wrong_NamesTheFlag(string text) =>
        Assert.Contains("--ssh-listen", Assert.Throws<SettingsException>(() => ServeSettings.ParseSshListen(text)).Message, StringComparison.Ordinal);

    [Fact]
    public async Task ABusySshPort_FailsTheStart_WithOneLine_AndExitCode2()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var data = new TempDirectory();
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await BerthCli.InvokeAsync(
            ["--data-root", data.Path, "serve", "--urls", "http://127.0.0.1:0", "--edge-http", "http://127.0.0.1:0", "--edge-https", "https://127.0.0.1:0",
             "--docker-host", "unix:///run/berth-tests-no-engine.sock", "--ssh-listen", $"127.0.0.1:{port}"],
            output, error).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(BerthCli.InvalidSettings, code);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"--ssh-listen 127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("EADDRINUSE", line, StringComparison.Ordinal);
    }
}
