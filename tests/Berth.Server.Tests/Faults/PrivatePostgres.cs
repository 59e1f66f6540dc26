namespace Berth.Server.Tests.Faults;

/// <summary>
/// A PostgreSQL cluster of the test's own (the run's shared one must not be restarted under other tests),
/// made with Debian's binaries as scripts/services/postgres.sh makes the shared one, on a free loopback port.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _bin;
    private readonly int _port;

    private PrivatePostgres(string bin, int port)
    {
        _bin = bin;
        _port = port;
    }

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=berth;Database=postgres";

    private string Data => Path.Combine(_directory.Path, "data");

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Order(StringComparer.Ordinal).Last();
        var postgres = new PrivatePostgres(bin, FaultSteps.FreePort());
        await HostCommand.RunAsync("chown", "postgres:postgres", postgres._directory.Path);
        await HostCommand.RunAsync("runuser", "-u", "postgres", "--", Path.Combine(bin, "initdb"), "-D", postgres.Data, "-A", "trust", "-U", "berth");
        await postgres.StartServerAsync();
        return postgres;
    }

    /// <summary>Stops the server the way a crash does: no checkpoint, connections cut.</summary>
    public Task CrashAsync() => PgCtlAsync("-m", "immediate", "stop");

    public Task StartServerAsync() =>
        PgCtlAsync("-l", Path.Combine(_directory.Path, "server.log"), "-o", $"-h 127.0.0.1 -p {_port} -k {_directory.Path} -c fsync=off", "-w", "start");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CrashAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        _directory.Dispose();
    }

    private Task PgCtlAsync(params string[] arguments) =>
        HostCommand.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", Data, .. arguments]);
}
