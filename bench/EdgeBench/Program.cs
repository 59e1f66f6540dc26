// The edge as the benchmark runs it: `EdgeBench --origin URL --port N --routes N [--certificates N]
// [--variant yarp|origin|lane] [--https-port N --certificate PEM --key PEM]`.
// Serves `bench-<i>.test` for i in [0, routes) (all to the origin) on 127.0.0.1:port, prints one
// `ready` line with its memory figures, then runs until stdin closes or it is killed.
// --variant picks which of the edge's hand-written parts run, each adding to the one before:
//   yarp      YARP's forwarder (OwnOriginClient and PlainLane off)
//   origin    + the own HTTP/1.1 origin client (Origins/)
//   lane      + the plain lane (Lane/): production, the default
// Every variant listens on Kestrel's socket transport.
// --https-port serves HTTPS on 127.0.0.1 with the PEM certificate for bench-0.test (and as the fallback
// for any other name, e.g. a client sending no SNI).
// `EdgeBench --origin URL --routes N --yarp-routes` measures YARP's own host routes instead (see YarpRoutesProbe).
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using Berth.Proxy;
using Microsoft.Extensions.DependencyInjection;

var origin = new Uri(Argument("--origin") ?? throw new ArgumentException("--origin URL is required"));
var port = int.Parse(Argument("--port") ?? "0", CultureInfo.InvariantCulture);
var routeCount = int.Parse(Argument("--routes") ?? "1", CultureInfo.InvariantCulture);
var certificateCount = int.Parse(Argument("--certificates") ?? "0", CultureInfo.InvariantCulture);
var variant = Argument("--variant") ?? "lane";
var level = Array.IndexOf<string>(["yarp", "origin", "lane"], variant);
if (level < 0)
{
    throw new ArgumentException($"--variant must be yarp, origin or lane, not '{variant}'");
}

var httpsPort = Argument("--https-port");
using var certificate = httpsPort is null
    ? null
    : X509Certificate2.CreateFromPemFile(
        Argument("--certificate") ?? throw new ArgumentException("--https-port needs --certificate PEM"),
        Argument("--key") ?? throw new ArgumentException("--https-port needs --key PEM"));
if (args.Contains("--yarp-routes"))
{
    await YarpRoutesProbe.RunAsync(origin, routeCount);
    return 0;
}

await using var edge = await EdgeHost.StartAsync(options =>
{
    options.HttpUrls.Clear();
    options.HttpUrls.Add($"http://127.0.0.1:{port}");
    options.HttpsUrls.Clear();
    options.HttpsUrls.Add($"https://127.0.0.1:{httpsPort ?? "0"}");
    options.OwnOriginClient = level >= 1;
    options.PlainLane = level >= 2;
});

var before = Memory();
edge.Routes.Apply([.. Enumerable.Range(0, routeCount).Select(i => new EdgeRoute($"bench-{i}.test", origin))]);
var cache = edge.Services.GetRequiredService<EdgeCertificateCache>();
if (certificate is not null)
{
    cache.Set("bench-0.test", certificate);
    cache.FallbackCertificate = certificate;
}

for (var i = 0; i < certificateCount; i++)
{
    cache.Set($"bench-{i}.test", OriginCertificate.CreateSelfSigned([$"bench-{i}.test"], TimeProvider.System));
}

var after = Memory();
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"ready variant={variant} routes={routeCount} certificates={certificateCount} heap_before_mb={before.Heap:F1} heap_after_mb={after.Heap:F1} rss_before_mb={before.Rss:F1} rss_after_mb={after.Rss:F1}"));

// Runs until stdin closes or SIGTERM/SIGINT arrives; then the edge is disposed and the process ends.
// Continuations off the signal thread: the edge's disposal must not run inside the signal handler.
var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.TrySetResult();
});
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    stop.TrySetResult();
});
// Console.In reads synchronously even through ReadToEndAsync: on a thread of its own, so a signal can end the wait.
await Task.WhenAny(Task.Run(() => Console.In.ReadToEnd()), stop.Task);
return 0;

string? Argument(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static (double Heap, double Rss) Memory()
{
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect();
    using var process = Process.GetCurrentProcess();
    return (GC.GetTotalMemory(false) / 1048576.0, process.WorkingSet64 / 1048576.0);
}
