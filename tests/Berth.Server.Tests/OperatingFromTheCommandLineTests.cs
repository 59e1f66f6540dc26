using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Server.Cli;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests;

/// <summary>The operator's `berth` commands, invoked as the command line would.</summary>
public sealed class OperatingFromTheCommandLineTests
{
    private static async Task<(int Exit, string Output, string Error)> BerthAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await BerthCli.InvokeAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Migrate_CreatesTheDatabaseAtTheSeedLocation()
    {
        using var root = new TempDirectory();

        var (exit, output, _) = await BerthAsync("migrate", "--data-root", root.Path);

        Assert.Equal(0, exit);
        var file = root.Combine("_DATA", "control-backend", "database.db");
        Assert.True(File.Exists(file));
        Assert.Contains("migrated to schema", output);
        Assert.Contains("up to date", (await BerthAsync("migrate", "--data-root", root.Path)).Output);
        SqliteConnection.ClearAllPools();
    }

    [Theory]
    [InlineData(new[] { "migrate", "--database", "oracle" }, "--database (BERTH_DATABASE)")]
    [InlineData(new[] { "migrate", "--database", "postgresql" }, "--connection-string (BERTH_CONNECTION_STRING) is required")]
    [InlineData(new[] { "migrate", "--database", "postgresql", "--connection-string", "Hots=1;;==" }, "--connection-string (BERTH_CONNECTION_STRING) is not a valid")]
    [InlineData(new[] { "migrate", "--connection-string", "Host=x" }, "applies to PostgreSQL only")]
    [InlineData(new[] { "serve", "--cloudflare-origin-pull-ca", "/nonexistent/origin-pull-ca.pem" }, "--cloudflare-origin-pull-ca (BERTH_CLOUDFLARE_ORIGIN_PULL_CA): '/nonexistent/origin-pull-ca.pem' cannot be read")]
    [InlineData(new[] { "serve", "--dns-resolver", "dns.example.com:53" }, "--dns-resolver (BERTH_DNS_RESOLVER) must be an IP address")]
    [InlineData(new[] { "serve", "--domain-verification", "maybe" }, "--domain-verification (BERTH_DOMAIN_VERIFICATION)")]
    public async Task InvalidConfiguration_FailsNamingTheSetting(string[] args, string expected)
    {
        using var root = new TempDirectory();

        var (exit, _, error) = await BerthAsync([.. args, "--data-root", root.Path]);

        Assert.Equal(BerthCli.InvalidSettings, exit);
        Assert.Contains(expected, error);
        Assert.False(File.Exists(root.Combine("_DATA", "control-backend", "database.db")), "nothing is created on bad settings");
    }

    [Fact]
    public async Task AdminCreate_ThenResetPassword_Work_AndRefuseBadInput()
    {
        using var root = new TempDirectory();

        var created = await BerthAsync("admin", "create", "--email", " Ops@Example.com ", "--password", "long-enough-1", "--data-root", root.Path);
        Assert.Equal(0, created.Exit);
        Assert.Contains("ops@example.com", created.Output);

        var duplicate = await BerthAsync("admin", "create", "--email", "ops@example.com", "--password", "long-enough-1", "--data-root", root.Path);
        Assert.Equal(BerthCli.Failed, duplicate.Exit);
        Assert.Contains("EMAIL_TAKEN", duplicate.Error);

        var tooShort = await BerthAsync("admin", "reset-password", "--email", "ops@example.com", "--password", "short", "--data-root", root.Path);
        Assert.Equal(BerthCli.Failed, tooShort.Exit);
        Assert.Contains("PASSWORD_TOO_SHORT", tooShort.Error);

        var reset = await BerthAsync("admin", "reset-password", "--email", "ops@example.com", "--password", "another-password", "--data-root", root.Path);
        Assert.Equal(0, reset.Exit);

        var unknown = await BerthAsync("admin", "reset-password", "--email", "nobody@example.com", "--password", "another-password", "--data-root", root.Path);
        Assert.Equal(BerthCli.Failed, unknown.Exit);
        Assert.Contains("USER_NOT_FOUND", unknown.Error);
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Backup_WhileServeIsRunningAndWriting_GivesAConsistentCopy()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var copyFolder = new TempDirectory();
        var copy = copyFolder.Combine("backup.db");
        using var stop = new CancellationTokenSource();
        var batches = 0;
        var writer = Task.Run(async () =>
        {
            // The running service writes through its own contexts and write gate.
            var activity = host.Services.GetRequiredService<ActivityLog>();
            while (!stop.IsCancellationRequested)
            {
                await using var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BerthDbContext>();
                for (var i = 0; i < 10; i++)
                {
                    activity.Add(db, 1, "load");
                }

                await db.SaveChangesAsync();
                Interlocked.Increment(ref batches);
            }
        });
        Assert.True(await Poll.UntilAsync(() => Volatile.Read(ref batches) >= 5), "the service's writes did not get going");

        var (exit, output, error) = await BerthAsync("backup", "--data-root", host.Database.DataRoot, "--out", copy);

        await stop.CancelAsync();
        await writer;
        Assert.True(exit == 0, error);
        Assert.Contains("integrity check: ok", output);
        await using var connection = new SqliteConnection($"Data Source={copy};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "SELECT count(*) FROM System_RecentActivity WHERE Message = 'load'";
        Assert.True((long)(await command.ExecuteScalarAsync())! > 0);
    }

    [Fact]
    public async Task Backup_OnPostgreSql_PointsToPgDump()
    {
        await using var database = await TestDatabase.CreateAsync(ProviderKind.PostgreSql);
        using var folder = new TempDirectory();

        var (exit, _, error) = await BerthAsync("backup", "--database", "postgresql", "--connection-string", database.ConnectionString!, "--out", folder.Combine("x.dump"));

        Assert.Equal(BerthCli.Failed, exit);
        Assert.Contains("pg_dump", error);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }
}
