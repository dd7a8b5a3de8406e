using Envoy;
using Envoy.AspNetCore;
using Envoy.Server;
using Microsoft.Extensions.Options;

// The settings files ship next to the program, so they apply whatever the working directory (where envoy.db goes) is.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// Every problem of the "Envoy" section at once, before anything starts (typos, wrong types, two stores, Redis without PostgreSQL).
var problems = ServerConfiguration.Problems(builder.Configuration);
if (problems.Count > 0)
{
    await Console.Error.WriteLineAsync(ServerStart.ConfigurationError(problems)).ConfigureAwait(false);
    return ServerStart.ConfigurationErrorExitCode;
}

ServerStart.UseDefaultUrl(builder);
ServerStart.UseShutdownTimeout(builder);
ServerConfiguration.Apply(builder.Services.AddEnvoy(), builder.Configuration).AddSampleFlows();
builder.Services.AddEnvoyServer();
builder.Services.AddHostedService<ServerAnnouncer>();
builder.Services.AddHostedService<SampleSchedules>();
var telemetry = ServerTelemetry.OptionsOf(builder.Configuration);
ServerTelemetry.Add(builder, telemetry);

var app = builder.Build();
app.MapEnvoy(ServerAnnouncer.Prefix);
ServerTelemetry.Map(app, telemetry);
try
{
    await app.RunAsync().ConfigureAwait(false);
    return 0;
}
catch (Exception e) when (e is EnvoyException or OptionsValidationException)
{
    await Console.Error.WriteLineAsync($"Envoy.Server could not start: {e.Message}").ConfigureAwait(false);
    return ServerStart.StartFailedExitCode;
}
