using System.Net;
using Microsoft.Extensions.Options;

namespace Berth.Core.Forwards;

/// <summary>
/// Settings of TCP port forwards. The pool and the shown host come from <c>berth serve</c>
/// (<c>--forward-ports</c>, <c>--forward-host</c>); the rest from the configuration section
/// <c>Berth:Forwards</c>. Validated at start.
/// </summary>
public sealed class ForwardsOptions
{
    public const string Section = "Berth:Forwards";

    /// <summary>First public port of the pool (<c>--forward-ports 30000-30029</c>).</summary>
    public int FirstPort { get; set; } = 30000;

    /// <summary>Last public port of the pool, included.</summary>
    public int LastPort { get; set; } = 30029;

    /// <summary>The name users connect to, shown as <c>host:port</c> (<c>--forward-host</c>).</summary>
    public string PublicHost { get; set; } = "localhost";

    /// <summary>Where the public ports listen: every IPv4 address of the host (loopback included) by default.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>Forwards per server for users without a quota row of their own.</summary>
    public int DefaultMaxPerServer { get; set; } = 5;

    /// <summary>Connections one forward carries at once; more are refused (reset) at once.</summary>
    public int MaxConnectionsPerForward { get; set; } = 128;

    /// <summary>Bytes buffered per direction of a connection (the memory bound: two of these per connection).</summary>
    public int BufferSize { get; set; } = 64 * 1024;

    /// <summary>How long connecting to the server may take before the client's connection is closed.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Periodic pass of the listener loop (servers start and stop); changes made through Berth wake it at once.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(2);

    public int PoolSize => LastPort - FirstPort + 1;

    public bool InPool(int port) => port >= FirstPort && port <= LastPort;

    public IPAddress ListenIp => IPAddress.Parse(ListenAddress);
}

internal sealed class ForwardsOptionsValidation : IValidateOptions<ForwardsOptions>
{
    public ValidateOptionsResult Validate(string? name, ForwardsOptions options)
    {
        var failures = new List<string>();
        if (options.FirstPort is < 1 or > 65535 || options.LastPort is < 1 or > 65535 || options.LastPort < options.FirstPort)
        {
            failures.Add($"The forward pool {options.FirstPort}-{options.LastPort} must be FIRST-LAST with 1 <= FIRST <= LAST <= 65535 (--forward-ports).");
        }

        if (string.IsNullOrWhiteSpace(options.PublicHost) || options.PublicHost.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || options.PublicHost.Length > 253)
        {
            failures.Add("The forward host (--forward-host) must be a host name or address without spaces.");
        }

        if (!IPAddress.TryParse(options.ListenAddress, out _))
        {
            failures.Add($"{ForwardsOptions.Section}:{nameof(ForwardsOptions.ListenAddress)} must be an IP address.");
        }

        if (options.DefaultMaxPerServer is < 0 or > 1000)
        {
            failures.Add($"{ForwardsOptions.Section}:{nameof(ForwardsOptions.DefaultMaxPerServer)} must be from 0 to 1000.");
        }

        if (options.MaxConnectionsPerForward is < 1 or > 100_000)
        {
            failures.Add($"{ForwardsOptions.Section}:{nameof(ForwardsOptions.MaxConnectionsPerForward)} must be from 1 to 100000.");
        }

        if (options.BufferSize is < 4096 or > 4 * 1024 * 1024)
        {
            failures.Add($"{ForwardsOptions.Section}:{nameof(ForwardsOptions.BufferSize)} must be from 4096 to 4194304 bytes.");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero || options.ReconcileInterval <= TimeSpan.Zero)
        {
            failures.Add($"{ForwardsOptions.Section}: {nameof(ForwardsOptions.ConnectTimeout)} and {nameof(ForwardsOptions.ReconcileInterval)} must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
