using System.CommandLine;
using Berth.Core.Data;
using Berth.Core.Errors;
using Berth.Server.Hosting;

namespace Berth.Server.Cli;

/// <summary>The <c>berth</c> command line: one binary for serving and for operators' tasks.</summary>
public static class BerthCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int InvalidSettings = 2;

    public static Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var root = new RootCommand("Berth: a self-hosted multi-tenant app hosting platform.");
        root.Options.Add(GlobalOptions.DataRoot);
        root.Options.Add(GlobalOptions.Database);
        root.Options.Add(GlobalOptions.ConnectionString);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(AdminCommand.Create());
        root.Subcommands.Add(ImageCommand.Create());
        var configuration = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
        };
        return root.Parse(args).InvokeAsync(configuration);
    }

    /// <summary>
    /// Runs an operator command with the shared settings and a service provider over the
    /// database, turning known failures into one clear line on stderr and an exit code.
    /// </summary>
    internal static async Task<int> RunAsync(ParseResult parse, Func<BerthSettings, IServiceProvider, TextWriter, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            var settings = GlobalOptions.Resolve(parse);
            var services = new ServiceCollection();
            services.AddLogging();
            Core.CoreServiceCollectionExtensions.AddBerthCore(services, settings.CreateProvider());
            await using var provider = services.BuildServiceProvider();
            return await body(settings, provider, output, cancellationToken);
        }
        catch (SettingsException e)
        {
            await error.WriteLineAsync($"berth: invalid configuration: {e.Message}");
            return InvalidSettings;
        }
        catch (BerthException e)
        {
            await error.WriteLineAsync($"berth: {e.Message} ({e.Code})");
            return Failed;
        }
        catch (DatabaseOperationException e)
        {
            await error.WriteLineAsync($"berth: {e.Message}");
            return Failed;
        }
    }
}
