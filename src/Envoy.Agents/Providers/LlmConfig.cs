using System.Globalization;

namespace Envoy;

/// <summary>
/// Settings of a model call. A provider's config holds the defaults; a per-call config overrides only the properties it sets
/// (<see cref="Merge"/>). Validated when a provider is built and on each call, with every problem listed.
/// </summary>
public sealed class LlmConfig
{
    /// <summary>The model used when none is set.</summary>
    public const string DefaultModel = "gpt-4o-mini";

    /// <summary>The default time one attempt may take.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

    /// <summary>The default number of retries of a transient failure.</summary>
    public const int DefaultMaxRetries = 3;

    /// <summary>The default first retry delay; later ones grow exponentially (with jitter).</summary>
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>The default longest retry delay (a longer <c>Retry-After</c> is capped to it).</summary>
    public static readonly TimeSpan DefaultRetryMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>The API key sent as a bearer token. Local endpoints (Ollama, vLLM...) usually need none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The model name; default <see cref="DefaultModel"/>.</summary>
    public string? Model { get; init; }

    /// <summary>
    /// The OpenAI-style base address, such as <c>http://127.0.0.1:5000/v1</c> (chat completions are posted to
    /// <c>{BaseUrl}/chat/completions</c>); default: OpenAI's own.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1056:URI-like properties should not be strings", Justification = "Bound from configuration as text; validated by Validate().")]
    public string? BaseUrl { get; init; }

    /// <summary>Sampling temperature (0 to 2).</summary>
    public double? Temperature { get; init; }

    /// <summary>The most tokens the reply may have.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>How the reply is read; default <see cref="LlmMode.Text"/>.</summary>
    public LlmMode? Mode { get; init; }

    /// <summary>The time one attempt may take; default <see cref="DefaultTimeout"/>. <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> disables it.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How often a transient failure (429, 5xx, timeout, broken connection) is retried; default <see cref="DefaultMaxRetries"/>; 0 never retries.</summary>
    public int? MaxRetries { get; init; }

    /// <summary>The first retry delay; default <see cref="DefaultRetryDelay"/>.</summary>
    public TimeSpan? RetryDelay { get; init; }

    /// <summary>The longest retry delay; default <see cref="DefaultRetryMaxDelay"/>.</summary>
    public TimeSpan? RetryMaxDelay { get; init; }

    /// <summary>Tools offered to the model for native tool calling.</summary>
    public IReadOnlyList<LlmToolDefinition>? Tools { get; init; }

    /// <summary>A config with this one's values, overridden by each property that <paramref name="overrides"/> sets.</summary>
    public LlmConfig Merge(LlmConfig? overrides)
    {
        if (overrides is null)
        {
            return this;
        }

        return new LlmConfig
        {
            ApiKey = overrides.ApiKey ?? ApiKey,
            Model = overrides.Model ?? Model,
            BaseUrl = overrides.BaseUrl ?? BaseUrl,
            Temperature = overrides.Temperature ?? Temperature,
            MaxTokens = overrides.MaxTokens ?? MaxTokens,
            Mode = overrides.Mode ?? Mode,
            Timeout = overrides.Timeout ?? Timeout,
            MaxRetries = overrides.MaxRetries ?? MaxRetries,
            RetryDelay = overrides.RetryDelay ?? RetryDelay,
            RetryMaxDelay = overrides.RetryMaxDelay ?? RetryMaxDelay,
            Tools = overrides.Tools ?? Tools,
        };
    }

    /// <summary>Checks every setting and lists every problem at once.</summary>
    /// <exception cref="LlmConfigException">A setting is out of range.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        if (BaseUrl is not null && (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"BaseUrl '{BaseUrl}' is not an absolute http(s) address.");
        }

        if (Model is not null && string.IsNullOrWhiteSpace(Model))
        {
            errors.Add("Model is empty.");
        }

        if (Temperature is < 0 or > 2)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Temperature must be between 0 and 2 (was {Temperature})."));
        }

        if (MaxTokens is < 1)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"MaxTokens must be at least 1 (was {MaxTokens})."));
        }

        if (Timeout is { } timeout && timeout != System.Threading.Timeout.InfiniteTimeSpan && (timeout < TimeSpan.FromMilliseconds(10) || timeout > TimeSpan.FromDays(1)))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Timeout must be between 10 ms and 1 day, or infinite (was {timeout})."));
        }

        if (MaxRetries is < 0 or > 100)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"MaxRetries must be between 0 and 100 (was {MaxRetries})."));
        }

        if (RetryDelay is { } delay && (delay < TimeSpan.Zero || delay > TimeSpan.FromDays(1)))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"RetryDelay must be between 0 and 1 day (was {delay})."));
        }

        if (RetryMaxDelay is { } maxDelay && (maxDelay < TimeSpan.Zero || maxDelay > TimeSpan.FromDays(1)))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"RetryMaxDelay must be between 0 and 1 day (was {maxDelay})."));
        }

        foreach (var tool in Tools ?? [])
        {
            if (tool is null || string.IsNullOrWhiteSpace(tool.Name))
            {
                errors.Add("A tool has no name.");
            }
        }

        if (errors.Count > 0)
        {
            throw new LlmConfigException(errors);
        }
    }
}
