using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Berth.Core.Forwards;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// Two modes for bench/forwards.sh:
//   splice PORT TARGET_IP SOURCE_PORT GREET_PORT   Berth's forward listeners (src/Berth.Core/Forwards, the production
//                                                  code and defaults) on 127.0.0.1:PORT and PORT+1; runs until stdin closes.
//   measure NAME HOST SOURCE_PORT GREET_PORT CONNECTIONS
//                                                  reads one transfer to its end from SOURCE_PORT (MiB/s), then opens
//                                                  CONNECTIONS connections one after another to GREET_PORT, each until
//                                                  its first byte (connection setup as an app sees it: p50/p99 in ms).
var invariant = CultureInfo.InvariantCulture;
if (args is ["splice", var port, var ip, var source, var greet])
{
    var first = int.Parse(port, invariant);
    var options = new ForwardsOptions { FirstPort = first, LastPort = first + 1, ListenAddress = "127.0.0.1" };
    if (Environment.GetEnvironmentVariable("FORWARD_BUFFER") is { Length: > 0 } buffer)
    {
        // To compare buffer sizes; the production default otherwise.
        options.BufferSize = int.Parse(buffer, invariant);
    }

    using var listeners = new ForwardListeners(Options.Create(options), NullLogger<ForwardListeners>.Instance);
    var address = IPAddress.Parse(ip);
    var applied = listeners.Apply(
    [
        new ForwardTarget(1, 1, first, new IPEndPoint(address, int.Parse(source, invariant))),
        new ForwardTarget(2, 1, first + 1, new IPEndPoint(address, int.Parse(greet, invariant))),
    ]);
    Console.WriteLine(string.Create(invariant, $"listening: {applied.Opened}"));
    await Console.In.ReadToEndAsync();
    return 0;
}

if (args is ["measure", var name, var host, var sourcePort, var greetPort, var count])
{
    var target = IPAddress.Parse(host);
    var buffer = new byte[1 << 20];
    long total = 0;
    var watch = Stopwatch.StartNew();
    using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
    {
        await socket.ConnectAsync(target, int.Parse(sourcePort, invariant));
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            total += read;
        }
    }

    var seconds = watch.Elapsed.TotalSeconds;
    var setups = new List<double>();
    for (var i = 0; i < int.Parse(count, invariant); i++)
    {
        var started = Stopwatch.GetTimestamp();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target, int.Parse(greetPort, invariant));
        _ = await socket.ReceiveAsync(buffer.AsMemory(0, 1), SocketFlags.None);
        setups.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    setups.Sort();
    double At(double q) => setups[Math.Min(setups.Count - 1, (int)Math.Ceiling(q * setups.Count) - 1)];
    Console.WriteLine(string.Create(invariant,
        $"{name} {total} {total / seconds / (1 << 20):F1} {At(0.5):F3} {At(0.99):F3} {setups.Count / setups.Sum() * 1000:F0}"));
    return 0;
}

Console.Error.WriteLine("usage: splice PORT TARGET_IP SOURCE_PORT GREET_PORT | measure NAME HOST SOURCE_PORT GREET_PORT CONNECTIONS");
return 2;
