using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Berth.Core.Files;

public static class FilesServiceCollectionExtensions
{
    /// <summary>The file manager over servers' <c>/apps</c>; needs <c>AddBerthServers</c>. Settings from <see cref="FilesOptions.Section"/>.</summary>
    public static IServiceCollection AddBerthFiles(this IServiceCollection services, Action<FilesOptions>? configure = null)
    {
        var builder = services.AddOptions<FilesOptions>().BindConfiguration(FilesOptions.Section);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FilesOptions>, FilesOptionsValidation>());
        services.AddScoped<FilesService>();
        return services;
    }
}
