namespace Envoy.LoadDriver;

/// <summary>
/// A workload: the flows it registers, and what one top-level job must do (handlers run, steps committed, jobs created).
/// Every handler calls <see cref="JobTracker.Hit"/> first, so a handler that runs twice or out of order is seen.
/// </summary>
internal sealed class Workload
{
    public const int FanoutChildren = 10;

    private Workload(string name, string topFlow, int topHandlers, int stepsPerTop, int jobsPerTop, string[] topStates)
    {
        Name = name;
        TopFlow = topFlow;
        TopHandlers = topHandlers;
        StepsPerTop = stepsPerTop;
        JobsPerTop = jobsPerTop;
        TopStates = topStates;
    }

    public string Name { get; }

    /// <summary>The flow the driver schedules.</summary>
    public string TopFlow { get; }

    /// <summary>Handlers of the top-level flow that each run exactly once per job.</summary>
    public int TopHandlers { get; }

    /// <summary>Durable steps committed per top-level job, children included.</summary>
    public int StepsPerTop { get; }

    /// <summary>Jobs per top-level job, itself and its children.</summary>
    public int JobsPerTop { get; }

    /// <summary>The states of the top-level job's committed steps, in order (its stored history must match).</summary>
    public IReadOnlyList<string> TopStates { get; }

    public static Workload Create(string name) => name switch
    {
        "single" => new Workload(name, "single", 1, 1, 1, ["A"]),
        "chain" => new Workload(name, "chain", 3, 3, 1, ["A", "B", "C"]),
        "fanout" => new Workload(name, "fanout", 3, 3 + FanoutChildren, 1 + FanoutChildren, ["Spawn", "Spawn", "Collect"]),
        _ => throw new ArgumentException($"Unknown workload '{name}'."),
    };

    public void Register(Scheduler scheduler, JobTracker tracker, FlowOptions? topOptions = null)
    {
        switch (Name)
        {
            case "single":
                scheduler.AddFlow("single", new StateFlow(
                [
                    new State("A") { OnState = async ctx => { tracker.Hit(ctx, 0, 1); return ctx.Output(ctx.Input<int>() + 1); }, Router = Router.End },
                ]), topOptions);
                break;
            case "chain":
                scheduler.AddFlow("chain", new StateFlow(
                [
                    new State("A") { OnState = async ctx => { tracker.Hit(ctx, 0, 3); return ctx.Output(ctx.Input<int>() + 1); }, Router = Router.Next("B") },
                    new State("B") { OnState = async ctx => { tracker.Hit(ctx, 1, 3); return ctx.Output(ctx.Input<int>() * 10); }, Router = Router.Next("C") },
                    new State("C") { OnState = async ctx => { tracker.Hit(ctx, 2, 3); return ctx.Output(ctx.Input<int>() + 5); }, Router = Router.End },
                ]), topOptions);
                break;
            case "fanout":
                scheduler.AddFlow("fanout-child", new StateFlow(
                [
                    new State("Work") { OnState = async ctx => { tracker.Hit(ctx, 0, 1); return ctx.Output(ctx.Input<int>() * 2); }, Router = Router.End },
                ]));
                scheduler.AddFlow("fanout", new StateFlow(
                [
                    new State("Spawn")
                    {
                        // Spawns the children and blocks; OnExit runs once all of them are done (the same step, resumed).
                        OnState = async ctx =>
                        {
                            tracker.Hit(ctx, 0, 3);
                            for (var i = 0; i < FanoutChildren; i++)
                            {
                                ctx.Spawn("fanout-child", i, "c" + i);
                            }

                            return ctx;
                        },
                        OnExit = async ctx =>
                        {
                            tracker.Hit(ctx, 1, 3);
                            var sum = 0;
                            for (var i = 0; i < FanoutChildren; i++)
                            {
                                if (ctx.Get<string>($"$spawn.c{i}.status") != "success")
                                {
                                    return ctx.Fail($"child c{i} ended {ctx.Get<string>($"$spawn.c{i}.status")}");
                                }

                                sum += ctx.Get<int>($"$spawn.c{i}.result");
                            }

                            return ctx.Output(sum);
                        },
                        Router = Router.Next("Collect"),
                    },
                    new State("Collect")
                    {
                        OnState = async ctx =>
                        {
                            tracker.Hit(ctx, 2, 3);
                            const int expected = FanoutChildren * (FanoutChildren - 1); // 2 * (0 + 1 + ... + 9)
                            return ctx.Input<int>() == expected ? ctx : ctx.Fail($"children summed to {ctx.Input<int>()}, expected {expected}");
                        },
                        Router = Router.End,
                    },
                ]), topOptions);
                break;
            default:
                throw new InvalidOperationException(Name);
        }
    }
}
