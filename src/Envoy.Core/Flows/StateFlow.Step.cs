using System.Text.Json.Nodes;

namespace Envoy;

public sealed partial class StateFlow
{
    /// <summary>
    /// Runs one step (or the rest of a step that stopped on waits) and returns the new context; the context passed in is never changed.
    /// Order: plugin <c>OnEnter</c>s, <c>OnEnter</c>, <c>OnState</c>, plugin <c>OnExit</c>s, <c>OnExit</c>, the router, plugin
    /// <c>OnRoute</c>s, the output mapping, the transition. A handler that registers waits stops the step after it.
    /// </summary>
    /// <exception cref="StateFlowException">A handler, router or plugin threw (the context passed in is what remains).</exception>
    /// <exception cref="InvalidOperationException">The run is done, or waits are still pending.</exception>
    public async Task<StateContext> StepAsync(StateContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Done is not null)
        {
            throw new InvalidOperationException($"The run already ended ({context.Done}) at state '{context.State}'.");
        }

        if (context.IsWaiting)
        {
            throw new InvalidOperationException($"State '{context.State}' is still waiting for {string.Join(", ", context.WaitingFor)}.");
        }

        var index = IndexOf(context.State);
        if (index < 0)
        {
            throw new StateFlowException(context.State, context.Step, $"State '{context.State}' is not a state of this flow.", null);
        }

        var state = _states[index];
        var plugins = Volatile.Read(ref _plugins);
        var work = context.Clone();
        if (cancellationToken.CanBeCanceled)
        {
            work.CancellationToken = cancellationToken;
        }

        var phase = work.Phase;
        var from = work.PhaseIndex;
        if (phase == StepPhase.PluginEnter)
        {
            for (var i = from; i < plugins.Length; i++)
            {
                if (plugins[i].OnEnter is { } onEnter)
                {
                    work = await InvokeAsync(onEnter, work, state, "plugin '" + plugins[i].Name + "' OnEnter", cancellationToken).ConfigureAwait(false);
                    if (ShouldStop(work, StepPhase.PluginEnter, i + 1))
                    {
                        return work;
                    }
                }
            }

            phase = StepPhase.Enter;
        }

        if (phase == StepPhase.Enter)
        {
            if (state.OnEnter is { } onEnter)
            {
                work = await InvokeAsync(onEnter, work, state, "OnEnter", cancellationToken).ConfigureAwait(false);
                if (ShouldStop(work, StepPhase.State, 0))
                {
                    return work;
                }
            }

            phase = StepPhase.State;
        }

        if (phase == StepPhase.State)
        {
            work = await InvokeAsync(state.OnState!, work, state, "OnState", cancellationToken).ConfigureAwait(false);
            if (ShouldStop(work, StepPhase.PluginExit, 0))
            {
                return work;
            }

            phase = StepPhase.PluginExit;
            from = 0;
        }

        if (phase == StepPhase.PluginExit)
        {
            for (var i = from; i < plugins.Length; i++)
            {
                if (plugins[i].OnExit is { } onExit)
                {
                    work = await InvokeAsync(onExit, work, state, "plugin '" + plugins[i].Name + "' OnExit", cancellationToken).ConfigureAwait(false);
                    if (ShouldStop(work, StepPhase.PluginExit, i + 1))
                    {
                        return work;
                    }
                }
            }

            phase = StepPhase.Exit;
        }

        if (phase == StepPhase.Exit && state.OnExit is { } onStateExit)
        {
            work = await InvokeAsync(onStateExit, work, state, "OnExit", cancellationToken).ConfigureAwait(false);
            if (ShouldStop(work, StepPhase.Route, 0))
            {
                return work;
            }
        }

        try
        {
            await RouteAsync(work, index, plugins, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            work.EnterRouting(null);
        }

        return work;
    }

    private async Task RouteAsync(StateContext work, int index, StateFlowPlugin[] plugins, CancellationToken cancellationToken)
    {
        var state = _states[index];
        string? next;
        Func<JsonNode?, StateContext, JsonNode?>? map = null;
        string? routeError = null;
        Router.RoutesRouter? routes = null;
        switch (state.Router)
        {
            case null:
                next = index + 1 < _states.Length ? _states[index + 1].Name : null;
                break;
            case Router.NextRouter nextRouter:
                next = nextRouter.Target;
                map = nextRouter.Map;
                break;
            case Router.RoutesRouter routesRouter:
                routes = routesRouter;
                work.EnterRouting("the router of state '" + state.Name + "'");
                var chosen = await InvokeAsync(routesRouter.OnRoute, work, state, "router", cancellationToken).ConfigureAwait(false);
                if (work.Done is not null)
                {
                    // The router ended the run (ctx.Fail): stay in this state, as when a handler fails.
                    return;
                }

                (next, map, routeError) = Choose(routesRouter, state, chosen);
                break;
            default:
                next = null;
                break;
        }

        var proposed = next;
        foreach (var plugin in plugins)
        {
            if (plugin.OnRoute is { } onRoute)
            {
                var current = next;
                work.EnterRouting("plugin '" + plugin.Name + "' OnRoute in state '" + state.Name + "'");
                next = await InvokeAsync(ctx => onRoute(ctx, current), work, state, "plugin '" + plugin.Name + "' OnRoute", cancellationToken).ConfigureAwait(false);
                if (work.Done is not null)
                {
                    return;
                }

                if (next is not null && IndexOf(next) < 0)
                {
                    routeError = $"Plugin '{plugin.Name}' routed state '{state.Name}' to '{next}', which is not a state of the flow.";
                    next = null;
                    break;
                }
            }
        }

        if (!string.Equals(next, proposed, StringComparison.Ordinal))
        {
            map = next is not null && routes is not null && routes.RouteTable.TryGetValue(next, out var route) ? route.Map : null;
            if (next is not null)
            {
                routeError = null;
            }
        }

        if (next is null)
        {
            work.Finish(routeError is null ? DoneReason.Finished : DoneReason.Error, routeError);
            return;
        }

        if (work.Step >= MaxSteps)
        {
            work.Finish(DoneReason.MaxSteps, $"The flow reached MaxSteps ({MaxSteps}) after state '{state.Name}' (step {work.Step}); state '{next}' did not run.");
            return;
        }

        var nextInput = work.Output();
        if (map is not null)
        {
            work.EnterRouting("the output map of route '" + state.Name + "' -> '" + next + "'");
            try
            {
                nextInput = map(nextInput, work);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw StateFlowException.FromHandler(state.Name, work.Step, "the output map to '" + next + "'", ex);
            }

            if (work.Done is not null)
            {
                return;
            }

            if (nextInput?.Parent is not null)
            {
                nextInput = nextInput.DeepClone();
            }
        }

        work.TransitionTo(next, nextInput);
    }

    private (string? Next, Func<JsonNode?, StateContext, JsonNode?>? Map, string? Error) Choose(Router.RoutesRouter router, State state, string? chosen)
    {
        if (chosen is null)
        {
            return (null, null, null);
        }

        if (router.RouteTable.TryGetValue(chosen, out var route) && IndexOf(chosen) >= 0)
        {
            return (chosen, route.Map, null);
        }

        if (router.DefaultTarget is { } fallback)
        {
            return (fallback, router.RouteTable[fallback].Map, null);
        }

        var allowed = string.Join(", ", router.RouteTable.Keys);
        return (null, null, $"State '{state.Name}' routed to '{chosen}', which is not one of its routes ({allowed}).");
    }

    private static bool ShouldStop(StateContext work, StepPhase resumeAt, int resumeIndex)
    {
        if (work.Done is not null)
        {
            return true;
        }

        if (work.IsWaiting)
        {
            work.StopAt(resumeAt, resumeIndex);
            return true;
        }

        return false;
    }

    private static async Task<T> InvokeAsync<T>(Func<StateContext, Task<T>> handler, StateContext work, State state, string where, CancellationToken cancellationToken)
    {
        T result;
        try
        {
            result = await handler(work).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw StateFlowException.FromHandler(state.Name, work.Step, where, ex);
        }

        if (typeof(T) == typeof(StateContext) && result is null)
        {
            throw new StateFlowException(state.Name, work.Step, $"State '{state.Name}' {where} returned no context at step {work.Step}; return the context it was given.", null);
        }

        return result;
    }
}
