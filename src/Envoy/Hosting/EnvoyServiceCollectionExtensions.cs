using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Envoy;

/// <summary>Registers Envoy in a service collection.</summary>
public static class EnvoyServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="Scheduler"/> (a singleton) and a hosted worker that starts and stops it with the host (or, with
    /// <see cref="EnvoyWorkerOptions.RunWorkers"/> false, only opens its store). The configuration is validated at start,
    /// listing every error. Calling it twice is harmless.
    /// </summary>
    public static EnvoyBuilder AddEnvoy(this IServiceCollection services, Action<SchedulerConfig>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SchedulerConfig>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.AddOptions<EnvoyWorkerOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulerConfig>, SchedulerConfigValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(CreateScheduler);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EnvoyWorker>());
        return new EnvoyBuilder(services);
    }

    private static Scheduler CreateScheduler(IServiceProvider provider)
    {
        var config = provider.GetRequiredService<IOptions<SchedulerConfig>>().Value;
        var scheduler = Scheduler.Create(config, provider.GetRequiredService<TimeProvider>(), provider.GetService<ILoggerFactory>());
        foreach (var flow in provider.GetServices<EnvoyFlowRegistration>())
        {
            scheduler.AddFlow(flow.Name, flow.Factory(provider), flow.Options);
        }

        return scheduler;
    }
}
