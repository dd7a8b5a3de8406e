using Envoy;
using Envoy.AspNetCore;
using Envoy.Server;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddEnvoy().AddSampleFlows();
builder.Services.AddEnvoyServer();

var app = builder.Build();
app.MapEnvoy("/envoy");
await app.RunAsync().ConfigureAwait(false);
