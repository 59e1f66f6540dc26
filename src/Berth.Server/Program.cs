using Berth.Server.Cli;

return await BerthCli.InvokeAsync(args);
