using Berth.Core.Servers;
using Berth.Core.Servers.Image;

namespace Berth.Server.Hosting;

internal static class ServersFeature
{
    public static ServersOptions OptionsFrom(ServeSettings settings) => new()
    {
        DataRoot = settings.Common.DataRoot,
        DockerHost = settings.DockerHost,
        RuntimeProfile = settings.RuntimeProfile,
        Image = settings.ServerImage ?? VirtualServerImage.Reference,
        InstallationId = settings.InstallationId,
        Network = settings.ServersNetwork,
        RegistryMirror = settings.RegistryMirror,
        ManageFirewall = settings.HostFirewall,
        BlockPrivateEgress = settings.BlockPrivateEgress,
        AllowedEgress = settings.AllowedEgress,
    };
}
