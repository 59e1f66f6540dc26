using System.CommandLine;
using Berth.Core.Accounts;
using Berth.Core.Data;

namespace Berth.Server.Cli;

internal static class AdminCommand
{
    public static Command Create()
    {
        var admin = new Command("admin", "Manage administrator accounts.");
        admin.Subcommands.Add(CreateCommand());
        admin.Subcommands.Add(ResetPasswordCommand());
        return admin;
    }

    private static Command CreateCommand()
    {
        var email = new Option<string>("--email") { Description = "Email of the new administrator.", Required = true };
        var password = new Option<string>("--password") { Description = "Password (at least 8 characters).", Required = true };
        var command = new Command("create", "Create an administrator account.") { email, password };
        command.SetAction((parse, cancellationToken) => BerthCli.RunAsync(parse, async (settings, services, output, ct) =>
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
            await using var scope = services.CreateAsyncScope();
            var user = await scope.ServiceProvider.GetRequiredService<AccountsService>()
                .CreateUserAsync(parse.GetValue(email)!, parse.GetValue(password)!, admin: true, actorId: 0, ct);
            await output.WriteLineAsync($"Administrator {user.Email} created (id {user.Id}).");
            return BerthCli.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command ResetPasswordCommand()
    {
        var email = new Option<string>("--email") { Description = "Email of the account.", Required = true };
        var password = new Option<string>("--password") { Description = "New password (at least 8 characters).", Required = true };
        var command = new Command("reset-password", "Set a new password for an account (ends its sessions).") { email, password };
        command.SetAction((parse, cancellationToken) => BerthCli.RunAsync(parse, async (settings, services, output, ct) =>
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AccountsService>()
                .SetPasswordAsync(parse.GetValue(email)!, parse.GetValue(password)!, ct);
            await output.WriteLineAsync($"Password of {EmailAddress.Normalize(parse.GetValue(email))} changed.");
            return BerthCli.Ok;
        }, cancellationToken));
        return command;
    }
}
