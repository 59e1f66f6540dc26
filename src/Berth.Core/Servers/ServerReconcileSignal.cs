using Berth.Core.Hosting;

namespace Berth.Core.Servers;

/// <summary>Wakes the <see cref="ServerReconciler"/> early, e.g. when a server was created.</summary>
public sealed class ServerReconcileSignal : WakeSignal;
