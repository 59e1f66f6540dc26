using Berth.Core.Hosting;

namespace Berth.Core.Forwards;

/// <summary>Tells the listener loop that forwards or servers changed, so listeners follow now rather than on the next periodic pass.</summary>
public sealed class ForwardsSignal : WakeSignal;
