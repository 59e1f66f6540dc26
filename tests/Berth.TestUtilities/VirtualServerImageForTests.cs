using Berth.Core.Hosting;
using Berth.Core.Servers.Image;
using Berth.Docker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.TestUtilities;

/// <summary>
/// The virtual-server image in the test engine, built at most once per test process (and not at
/// all when the engine's data root already has the current tag from an earlier run).
/// </summary>
public static class VirtualServerImageForTests
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static ImageBuildResult? _result;

    public static async Task<ImageBuildResult> EnsureAsync(DockerEngine engine, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        await Gate.WaitAsync();
        try
        {
            if (_result is null)
            {
                var builder = new VirtualServerImageBuilder(new HostTools(NullLogger<HostTools>.Instance), TimeProvider.System);
                _result = await builder.EnsureAsync(engine, AptMirror.Detect(VirtualServerImage.Suite), progress ?? new Progress<string>(), force: false, CancellationToken.None);
            }

            return _result;
        }
        finally
        {
            Gate.Release();
        }
    }
}
