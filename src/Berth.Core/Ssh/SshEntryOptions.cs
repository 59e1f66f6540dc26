using System.Net;
using Microsoft.Extensions.Options;

namespace Berth.Core.Ssh;

/// <summary>
/// Settings of the SSH entry (docs/ssh.md, decision 0009). Where it listens comes from
/// <c>berth serve</c> (<c>--ssh-listen</c>, <c>--ssh off</c>); the limits from the configuration
/// section <c>Berth:Ssh</c>. Validated at start.
/// </summary>
public sealed class SshEntryOptions
{
    public const string Section = "Berth:Ssh";

    /// <summary>Whether the entry runs at all (<c>--ssh off</c> turns it off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Address of the entry's listener (<c>--ssh-listen ADDRESS:PORT</c>).</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Port of the entry's listener; 0 takes a free one (tests).</summary>
    public int Port { get; set; } = 2222;

    /// <summary>Whether admins may enter every server with their own keys.</summary>
    public bool AdminEntry { get; set; } = true;

    /// <summary>How long a connection may take to authenticate before it is closed.</summary>
    public TimeSpan LoginGraceTime { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Authentication attempts one connection may make.</summary>
    public int MaxAuthAttempts { get; set; } = 10;

    /// <summary>Connections still authenticating from one client address (sshd's MaxStartups, per address).</summary>
    public int MaxUnauthenticatedPerAddress { get; set; } = 10;

    /// <summary>Connections still authenticating in all.</summary>
    public int MaxUnauthenticated { get; set; } = 100;

    /// <summary>How long the server's own sshd may take to accept the relayed connection.</summary>
    public TimeSpan ServerConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IPAddress ListenIp => IPAddress.Parse(ListenAddress);
}

internal sealed class SshEntryOptionsValidation : IValidateOptions<SshEntryOptions>
{
    public ValidateOptionsResult Validate(string? name, SshEntryOptions options)
    {
        var failures = new List<string>();
        if (!IPAddress.TryParse(options.ListenAddress, out _))
        {
            failures.Add($"The SSH entry's address (--ssh-listen, {SshEntryOptions.Section}:{nameof(SshEntryOptions.ListenAddress)}) must be an IP address, was '{options.ListenAddress}'.");
        }

        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"The SSH entry's port (--ssh-listen, {SshEntryOptions.Section}:{nameof(SshEntryOptions.Port)}) must be from 0 to 65535, was {options.Port}.");
        }

        Range(options.MaxAuthAttempts, 1, 100, nameof(SshEntryOptions.MaxAuthAttempts));
        Range(options.MaxUnauthenticatedPerAddress, 1, 10_000, nameof(SshEntryOptions.MaxUnauthenticatedPerAddress));
        Range(options.MaxUnauthenticated, 1, 100_000, nameof(SshEntryOptions.MaxUnauthenticated));
        Seconds(options.LoginGraceTime, 1, 600, nameof(SshEntryOptions.LoginGraceTime));
        Seconds(options.ServerConnectTimeout, 1, 600, nameof(SshEntryOptions.ServerConnectTimeout));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Range(int value, int min, int max, string key)
        {
            if (value < min || value > max)
            {
                failures.Add($"{SshEntryOptions.Section}:{key} must be from {min} to {max}, was {value}.");
            }
        }

        void Seconds(TimeSpan value, int min, int max, string key)
        {
            if (value < TimeSpan.FromSeconds(min) || value > TimeSpan.FromSeconds(max))
            {
                failures.Add($"{SshEntryOptions.Section}:{key} must be from {min} s to {max} s, was {value}.");
            }
        }
    }
}
