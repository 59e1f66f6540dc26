// The edge as the benchmark runs it: `EdgeBench --origin URL --port N --routes N [--certificates N]`.
// Serves `bench-<i>.test` for i in [0, routes) (all to the origin) on 127.0.0.1:port, prints one
// `ready` line with its memory figures, then runs until stdin closes or it is killed.
// `EdgeBench --origin URL --routes N --yarp-routes` measures YARP's own host routes instead (see YarpRoutesProbe).
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Berth.Proxy;
using Microsoft.Extensions.DependencyInjection;

var origin = new Uri(Argument("--origin") ?? throw new ArgumentException("--origin URL is required"));
var port = int.Parse(Argument("--port") ?? "0", CultureInfo.InvariantCulture);
var routeCount = int.Parse(Argument("--routes") ?? "1", CultureInfo.InvariantCulture);
var certificateCount = int.Parse(Argument("--certificates") ?? "0", CultureInfo.InvariantCulture);
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
    options.HttpsUrls.Add("https://127.0.0.1:0");
});

var before = Memory();
edge.Routes.Apply([.. Enumerable.Range(0, routeCount).Select(i => new EdgeRoute($"bench-{i}.test", origin))]);
var cache = edge.Services.GetRequiredService<EdgeCertificateCache>();
for (var i = 0; i < certificateCount; i++)
{
    cache.Set($"bench-{i}.test", OriginCertificate.CreateSelfSigned([$"bench-{i}.test"], TimeProvider.System));
}

var after = Memory();
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"ready routes={routeCount} certificates={certificateCount} heap_before_mb={before.Heap:F1} heap_after_mb={after.Heap:F1} rss_before_mb={before.Rss:F1} rss_after_mb={after.Rss:F1}"));

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
