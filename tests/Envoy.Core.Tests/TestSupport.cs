using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

/// <summary>A record used to check that typed accessors round-trip between states.</summary>
public sealed record Point(int X, int Y);

public enum Colour
{
    DarkRed,
    LightBlue,
}

/// <summary>A class whose instances cannot be written as JSON (a reference cycle).</summary>
public sealed class SelfReferencing
{
    public SelfReferencing? Self { get; set; }
}

/// <summary>Small builders shared by the tests.</summary>
internal static class Handlers
{
    /// <summary>A handler that returns the context unchanged.</summary>
    public static Func<StateContext, Task<StateContext>> Noop { get; } = ctx => Task.FromResult(ctx);

    /// <summary>A handler that appends <paramref name="entry"/> to <paramref name="log"/>.</summary>
    public static Func<StateContext, Task<StateContext>> Log(List<string> log, string entry) => ctx =>
    {
        log.Add(entry);
        return Task.FromResult(ctx);
    };

    /// <summary>A plugin that logs its OnEnter, OnExit and OnRoute (keeping the router's choice).</summary>
    public static StateFlowPlugin LoggingPlugin(List<string> log, string name, params string[] dependsOn) => new(name)
    {
        DependsOn = dependsOn,
        OnEnter = ctx =>
        {
            log.Add($"{name}.OnEnter({ctx.State})");
            return Task.FromResult(ctx);
        },
        OnExit = ctx =>
        {
            log.Add($"{name}.OnExit({ctx.State})");
            return Task.FromResult(ctx);
        },
        OnRoute = (ctx, next) =>
        {
            log.Add($"{name}.OnRoute({ctx.State}->{next ?? "null"})");
            return Task.FromResult(next);
        },
    };

    /// <summary>Routes keyed by state name, for <see cref="Router.Routes"/>.</summary>
    public static Dictionary<string, Route> Routes(params string[] names)
    {
        var routes = new Dictionary<string, Route>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            routes[name] = new Route();
        }

        return routes;
    }

    /// <summary>
    /// Steps a flow until it is done, resolving every pending wait with <c>"result:" + id</c>; with
    /// <paramref name="roundTrip"/>, the context is serialized and deserialized before every step (and the
    /// round trip is checked to be exact).
    /// </summary>
    public static async Task<StateContext> DriveAsync(StateFlow flow, object? input, bool roundTrip)
    {
        var ctx = flow.NewContext(input);
        while (ctx.Done is null)
        {
            if (ctx.IsWaiting)
            {
                foreach (var id in ctx.WaitingFor)
                {
                    ctx = roundTrip ? RoundTrip(ctx) : ctx;
                    ctx.Resolve(id, "result:" + id);
                }
            }

            ctx = roundTrip ? RoundTrip(ctx) : ctx;
            ctx = await flow.StepAsync(ctx);
        }

        return ctx;
    }

    /// <summary>Serializes and deserializes a context, asserting that the round trip is exact.</summary>
    public static StateContext RoundTrip(StateContext ctx)
    {
        var json = ctx.Serialize();
        var restored = StateContext.Deserialize(json);
        Assert.Equal(json, restored.Serialize());
        return restored;
    }

    /// <summary>Calls an async method, failing if it throws at the call instead of returning a faulted task.</summary>
    public static Task<T> FaultsItsTask<T>(Func<Task<T>> call)
    {
        try
        {
            return call();
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"The call threw {ex.GetType().Name} synchronously instead of faulting its task: {ex.Message}");
        }
    }

    /// <summary>Parses JSON for comparisons.</summary>
    public static JsonNode Json(string json) => JsonNode.Parse(json)!;
}
