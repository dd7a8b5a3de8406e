using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Envoy.QueryBench;

namespace Envoy.ApiBench;

/// <summary>
/// <c>--mode dashboard</c>: the dashboard's pages over HTTP with a large PostgreSQL store (the same seeded store and host as
/// <c>--mode list</c>, <see cref="ListBench.RunSeededAsync"/>): the overview and the jobs list (unfiltered, by status, by flow,
/// a search of a common word, page 2), each timed one request at a time after a warm-up (p50/p95/p99, target p95 &lt;= 100
/// ms), then the overview's first load as a browser gets it: the HTML and every stylesheet, script and icon it links to,
/// asked for with <c>Accept-Encoding: gzip</c>, bytes on the wire (target &lt;= 300 KB; Mermaid is not on the overview).
/// </summary>
internal static partial class DashboardBench
{
    private const int WarmupCalls = 20;
    private const double TargetMs = 100;
    private const long TargetBytes = 300 * 1024;

    public static Task<int> RunAsync(int jobs, int calls) => ListBench.RunSeededAsync(jobs, (connectionString, token) => MeasureAsync(connectionString, calls, token));

    private static async Task<int> MeasureAsync(string connectionString, int calls, CancellationToken cancellationToken)
    {
        var (app, root) = await ListBench.StartHostAsync(connectionString, cancellationToken);
        await using var disposeApp = app;
        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, UseCookies = false }) { BaseAddress = root };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ListBench.Key);

        var flow = JobSeeder.Flows[3];
        var cases = new List<(string Name, string Path)>
        {
            ("overview", "envoy/"),
            ("overview throughput JSON", "envoy/overview/throughput"),
            ("jobs", "envoy/jobs"),
            ("jobs?status=failed", "envoy/jobs?status=failed"),
            ($"jobs?flow={flow}", $"envoy/jobs?flow={flow}"),
            ($"jobs?search={JobSeeder.CommonWord}", $"envoy/jobs?search={JobSeeder.CommonWord}"),
            ("jobs?offset=50 (page 2)", "envoy/jobs?offset=50"),
            ("escalations (inbox)", "envoy/escalations"),
            ("flows", "envoy/flows"),
        };
        // A job page (a failed job: its error, history and graph) and a flow's graph page, from what the store and host hold.
        var jobId = await FirstAsync(client, "envoy/api/jobs?status=failed&limit=1", "items", "id", cancellationToken)
            ?? throw new InvalidOperationException("The seeded store has no failed job.");
        cases.Add(("job page (a failed job)", $"envoy/jobs/{jobId}"));
        // The bench host registers no flow (the seeded jobs' flows are names only): a flow page is measured when there is one.
        if (await FirstAsync(client, "envoy/api/flows", null, "name", cancellationToken) is { } flowName)
        {
            cases.Add(($"flow page ({flowName})", $"envoy/flows/{Uri.EscapeDataString(flowName)}"));
        }

        foreach (var (_, path) in cases)
        {
            for (var i = 0; i < WarmupCalls; i++)
            {
                _ = await GetAsync(client, path, gzip: false, cancellationToken);
            }
        }

        var missed = false;
        Console.WriteLine($"{"dashboard page (sequential)",-36} {"n",5} {"bytes",8} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8}  target p95 <= {TargetMs}");
        foreach (var (name, path) in cases)
        {
            var times = new double[calls];
            var bytes = 0L;
            for (var i = 0; i < calls; i++)
            {
                var started = Stopwatch.GetTimestamp();
                bytes = (await GetAsync(client, path, gzip: false, cancellationToken)).Length;
                times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(times);
            var p50 = times[(int)Math.Floor((calls - 1) * 0.50)];
            var p95 = times[(int)Math.Ceiling((calls - 1) * 0.95)];
            var p99 = times[(int)Math.Ceiling((calls - 1) * 0.99)];
            missed |= p95 > TargetMs;
            Console.WriteLine($"{name,-36} {calls,5} {bytes,8} {p50,8:F2} {p95,8:F2} {p99,8:F2} {times[^1],8:F2}  {(p95 <= TargetMs ? "met" : "MISSED")}");
            Console.WriteLine(FormattableString.Invariant($"RESULT name=\"dashboard {name}\" n={calls} p50_ms={p50:F2} p95_ms={p95:F2} p99_ms={p99:F2} max_ms={times[^1]:F2} load=\"{ListBench.LoadAverage()}\""));
        }

        // The overview's first load: the page, then every asset it names, each as a browser with an empty cache asks for it.
        var html = await GetAsync(client, "envoy/", gzip: true, cancellationToken);
        var total = (long)html.Length;
        Console.WriteLine($"  {"envoy/ (HTML)",-60} {html.Length,8} B");
        var text = System.Text.Encoding.UTF8.GetString(html);
        foreach (var asset in AssetPattern().Matches(text).Select(m => WebUtility.HtmlDecode(m.Groups["url"].Value)).Distinct(StringComparer.Ordinal))
        {
            var body = await GetAsync(client, asset.TrimStart('/'), gzip: true, cancellationToken);
            total += body.Length;
            Console.WriteLine($"  {asset,-60} {body.Length,8} B");
        }

        var json = await GetAsync(client, "envoy/overview/throughput", gzip: true, cancellationToken);
        total += json.Length;
        Console.WriteLine($"  {"envoy/overview/throughput (the chart's data)",-60} {json.Length,8} B");
        missed |= total > TargetBytes;
        Console.WriteLine($"overview first load: {total} B ({total / 1024.0:F1} KB) transferred, target <= 300 KB: {(total <= TargetBytes ? "met" : "MISSED")}");
        Console.WriteLine(FormattableString.Invariant($"RESULT name=\"dashboard overview first load\" bytes={total} load=\"{ListBench.LoadAverage()}\""));
        await app.StopAsync(CancellationToken.None);
        return missed ? 1 : 0;
    }

    /// <summary>A string property of the first item of a JSON answer (an array, or the array property <paramref name="array"/>); null when it has none.</summary>
    private static async Task<string?> FirstAsync(HttpClient client, string path, string? array, string property, CancellationToken cancellationToken)
    {
        using var document = System.Text.Json.JsonDocument.Parse(await GetAsync(client, path, gzip: false, cancellationToken));
        var items = array is null ? document.RootElement : document.RootElement.GetProperty(array);
        return items.EnumerateArray().Select(item => item.GetProperty(property).GetString()).FirstOrDefault();
    }

    /// <summary>The body as sent (compressed when <paramref name="gzip"/> and the server compressed it); fails unless 200.</summary>
    private static async Task<byte[]> GetAsync(HttpClient client, string path, bool gzip, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (gzip)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        }

        using var response = await client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.StatusCode == HttpStatusCode.OK
            ? body
            : throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}.");
    }

    [GeneratedRegex("""(?:src|href)="(?<url>/[^"]*/assets/[^"]+)" """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex AssetPattern();
}
