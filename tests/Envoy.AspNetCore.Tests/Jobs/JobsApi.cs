using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;

namespace Envoy.AspNetCore.Tests.Jobs;

/// <summary>Calls of the jobs routes, and waiting on a job's state through the API (polling with a deadline, never a fixed sleep).</summary>
public static class JobsApi
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Schedules through the API and asserts <c>201</c>; returns the job.</summary>
    public static async Task<JsonNode> ScheduleAsync(this HttpClient client, string json) =>
        await Problems.AssertJsonAsync(await client.PostJsonAsync("envoy/api/jobs", json), HttpStatusCode.Created);

    public static async Task<JsonNode> GetJobAsync(this HttpClient client, string id) =>
        await Problems.AssertJsonAsync(await client.GetAsync($"envoy/api/jobs/{id}"));

    /// <summary>Polls <c>GET /jobs/{id}</c> until <paramref name="until"/> holds; fails after <see cref="Timeout"/>.</summary>
    public static async Task<JsonNode> WaitForAsync(this HttpClient client, string id, Func<JsonNode, bool> until, string what)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(Timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            var job = await client.GetJobAsync(id);
            if (until(job))
            {
                return job;
            }

            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"Job {id} was not {what} within {Timeout}: {job.ToJsonString()}");
            await Task.Delay(TimeSpan.FromMilliseconds(25), TimeProvider.System);
        }
    }

    /// <summary>Waits until the job is blocking (every wait of its step registered).</summary>
    public static Task<JsonNode> WaitForStatusAsync(this HttpClient client, string id, string status) =>
        client.WaitForAsync(id, job => Status(job) == status, status);

    public static string Id(JsonNode job) => job["id"]!.GetValue<string>();

    public static string Status(JsonNode job) => job["status"]!.GetValue<string>();

    /// <summary>Asserts a <c>400</c> problem with this code whose detail names <paramref name="field"/>.</summary>
    public static async Task AssertNamesAsync(HttpResponseMessage response, string code, string field)
    {
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, code);
        Assert.Contains(field, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
