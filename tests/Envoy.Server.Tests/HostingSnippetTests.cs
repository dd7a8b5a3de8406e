using System.Net;
using System.Net.Http.Headers;
using Envoy.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Envoy.Server.Tests;

/// <summary>The snippet of docs/server.md, "Hosting the API in your own app", compiled and run (on a free port and a temporary file).</summary>
public sealed class HostingSnippetTests
{
    [Fact]
    public async Task DocsSnippet_HostsTheApiInAnApp()
    {
        var folder = Directory.CreateTempSubdirectory("envoy-hosting-snippet-");
        var args = new[] { "--urls", "http://127.0.0.1:0", "--Envoy:Server:ApiKeys:0:Key=snippet-key", "--Envoy:Server:ApiKeys:0:User=ops", "--Envoy:Server:ApiKeys:0:Role=admin" };

        // --- the snippet (the store path is the temporary folder's) ---
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.ClearProviders();
        builder.Services.AddEnvoy()
            .UseSqlite(Path.Combine(folder.FullName, "envoy.db"))
            .AddFlow("invoice", InvoiceFlows.Create());
        builder.Services.AddEnvoyServer(server =>
        {
            server.MaxBodyBytes = 256 * 1024;
        });

        await using var app = builder.Build();
        app.MapEnvoy("/envoy");
        // --- end of the snippet (app.Run() there) ---

        await app.StartAsync();
        var root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(root + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "snippet-key");

        var scheduler = app.Services.GetRequiredService<Scheduler>();
        var job = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync("invoice", 42), TimeSpan.FromMinutes(1));
        var response = await client.GetAsync($"envoy/api/jobs/{job.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"output\":\"invoiced 42\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(256 * 1024, app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EnvoyServerOptions>>().Value.MaxBodyBytes);
        await app.StopAsync();
    }

    private static class InvoiceFlows
    {
        public static StateFlow Create() => new(
        [
            new State("Invoice") { OnState = async ctx => ctx.Output($"invoiced {ctx.Input<int>()}"), Router = Router.End },
        ]);
    }
}
