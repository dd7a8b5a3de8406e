namespace Envoy;

/// <summary>An image attached to a user message: either a URL the model fetches, or the image bytes themselves.</summary>
public sealed record LlmImage
{
    /// <summary>Creates an image; prefer <see cref="FromUrl"/> and <see cref="FromBytes"/>.</summary>
    /// <param name="url">Where the image is (http, https or data URL), or <c>null</c> when <paramref name="data"/> is given.</param>
    /// <param name="data">The encoded image, or empty when <paramref name="url"/> is given.</param>
    /// <param name="mediaType">The media type such as <c>image/png</c>; required with <paramref name="data"/>.</param>
    public LlmImage(Uri? url, ReadOnlyMemory<byte> data, string? mediaType)
    {
        if (url is null && data.IsEmpty)
        {
            throw new ArgumentException("An image needs a URL or its bytes.", nameof(url));
        }

        if (url is null && string.IsNullOrWhiteSpace(mediaType))
        {
            throw new ArgumentException("An image given as bytes needs a media type such as image/png.", nameof(mediaType));
        }

        Url = url;
        Data = data;
        MediaType = mediaType;
    }

    /// <summary>Where the image is, or <c>null</c> when <see cref="Data"/> holds it.</summary>
    public Uri? Url { get; }

    /// <summary>The encoded image (empty when <see cref="Url"/> is set).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The media type, such as <c>image/png</c>.</summary>
    public string? MediaType { get; }

    /// <summary>An image the model reads from <paramref name="url"/>.</summary>
    public static LlmImage FromUrl(Uri url, string? mediaType = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new LlmImage(url, ReadOnlyMemory<byte>.Empty, mediaType);
    }

    /// <summary>An image sent inline (base64 on the wire).</summary>
    public static LlmImage FromBytes(ReadOnlyMemory<byte> data, string mediaType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaType);
        return new LlmImage(null, data, mediaType);
    }
}
