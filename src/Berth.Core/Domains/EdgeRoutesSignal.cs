using Berth.Core.Hosting;

namespace Berth.Core.Domains;

/// <summary>Tells the edge that domain names changed, so that its routes are rebuilt now rather than on the next periodic pass.</summary>
public sealed class EdgeRoutesSignal : WakeSignal;
