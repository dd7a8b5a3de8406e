using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>
/// <c>GET {prefix}/assets/{name}</c>: the dashboard's scripts, styles and libraries, embedded in this assembly (files under
/// <c>Dashboard/wwwroot</c>), served with a content hash as ETag, gzip when the browser takes it, and cached for a year when
/// asked for by their versioned address (<see cref="DashboardContext.Asset"/>). No CDN: the dashboard works offline.
/// </summary>
internal static class DashboardAssets
{
    private const string ResourcePrefix = "envoy-dashboard/";
    private static readonly ConcurrentDictionary<string, Asset?> Cache = new(StringComparer.Ordinal);
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static void Map(RouteGroupBuilder dashboard) =>
        dashboard.MapGet("/assets/{**name}", Serve).AllowAnonymous().ExcludeFromDescription();

    /// <summary>The version of a served file (a hash of its content), for cache-busting addresses.</summary>
    public static string Version(string name) => Find(name)?.Version ?? "missing";

    private static IResult Serve(string name, HttpContext http)
    {
        var asset = Find(name);
        if (asset is null)
        {
            return Results.NotFound();
        }

        var headers = http.Response.Headers;
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = http.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "no-cache";
        headers.Vary = HeaderNames.AcceptEncoding;
        if (http.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var acceptsGzip = http.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        if (acceptsGzip && asset.Gzipped is not null)
        {
            headers.ContentEncoding = "gzip";
            return Results.Bytes(asset.Gzipped, asset.ContentType);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static Asset? Find(string name) => Cache.GetOrAdd(name, Load);

    private static Asset? Load(string name)
    {
        if (name.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(ResourcePrefix + name);
        if (stream is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        var version = Convert.ToHexStringLower(SHA256.HashData(content))[..16];
        var contentType = ContentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream";
        if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType.EndsWith("javascript", StringComparison.Ordinal))
        {
            contentType += "; charset=utf-8";
        }

        return new Asset(content, Compress(name, content), contentType, version, "\"" + version + "\"");
    }

    private static byte[]? Compress(string name, byte[] content)
    {
        if (!(name.EndsWith(".js", StringComparison.Ordinal) || name.EndsWith(".css", StringComparison.Ordinal) || name.EndsWith(".svg", StringComparison.Ordinal)))
        {
            return null;
        }

        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    private sealed record Asset(byte[] Content, byte[]? Gzipped, string ContentType, string Version, string ETag);
}
