using System.Globalization;
using System.Text.Json.Nodes;

namespace Envoy;

public sealed partial class StateContext
{
    /// <summary>The data key under which spawn results appear: <c>$spawn.&lt;name&gt;.status|result|error</c>.</summary>
    public const string SpawnKey = "$spawn";

    /// <summary>The data key under which an escalation's reply appears: <c>$escalation</c> and <c>$escalation.&lt;inputId&gt;</c>.</summary>
    public const string EscalationKey = "$escalation";

    private static readonly IReadOnlyList<Wait> NoWaits = [];

    /// <summary>
    /// The metadata names under <c>$escalation</c> (<c>id</c>, <c>user</c>, <c>message</c>, <c>inputs</c>, <c>status</c>,
    /// <c>repliedBy</c>): no escalation input may use one as its id, so a reply's values never overwrite them.
    /// </summary>
    public static IReadOnlyList<string> EscalationMetadataNames { get; } = ["id", "user", "message", "inputs", "status", "repliedBy"];

    private List<Wait>? _waits;

    /// <summary>While routing: where (the router, an output map, a plugin's OnRoute); a wait registered then is refused. Not copied.</summary>
    private string? _routingIn;

    /// <summary>Every wait the current state registered, with its status and result.</summary>
    public IReadOnlyList<Wait> Waits => _waits ?? NoWaits;

    /// <summary>The ids of the waits still pending.</summary>
    public IReadOnlyList<string> WaitingFor
    {
        get
        {
            if (_waits is null)
            {
                return [];
            }

            var pending = new List<string>();
            foreach (var wait in _waits)
            {
                if (wait.IsPending)
                {
                    pending.Add(wait.Id);
                }
            }

            return pending;
        }
    }

    /// <summary>True while a wait is pending: the step is blocked.</summary>
    public bool IsWaiting => _waits is not null && _waits.Exists(static w => w.IsPending);

    /// <summary>The wait with this id, or <c>null</c>.</summary>
    public Wait? GetWait(string id) => _waits?.Find(w => string.Equals(w.Id, id, StringComparison.Ordinal));

    /// <summary>
    /// Blocks the step until each wait is resolved from outside; the step stops after the current handler. Returns this context.
    /// A wait with a <see cref="Envoy.WaitFor.Timeout"/> resolves with the error <see cref="Wait.TimeoutError"/> when nobody
    /// resolved it in time.
    /// </summary>
    /// <exception cref="ArgumentException">A wait id is empty or already used by this state.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A wait's timeout is zero or negative.</exception>
    public StateContext WaitFor(params WaitFor[] waits)
    {
        ArgumentNullException.ThrowIfNull(waits);
        foreach (var wait in waits)
        {
            ArgumentNullException.ThrowIfNull(wait);
            ArgumentException.ThrowIfNullOrWhiteSpace(wait.Id, nameof(waits));
            ArgumentException.ThrowIfNullOrWhiteSpace(wait.Type, nameof(waits));
            if (wait.Timeout is { } timeout)
            {
                ThrowIfNotPositive(timeout, $"WaitFor '{wait.Id}': its Timeout", nameof(waits));
            }

            AddWait(new Wait(wait.Id, wait.Type, JsonValues.ToNode(wait.Params), WaitStatus.Pending, null, null) { Timeout = wait.Timeout });
        }

        return this;
    }

    /// <summary>
    /// Starts a child job of flow <paramref name="flow"/> when the step commits and blocks until it ends. Its result appears under
    /// <c>$spawn.&lt;name&gt;</c> (the name defaults to the flow's, numbered when repeated) and through <see cref="GetWait(string)"/>.
    /// </summary>
    /// <returns>The wait id.</returns>
    public string Spawn(string flow, object? input, string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(flow);
        if (name is not null && (name.Length == 0 || name.Contains('.', StringComparison.Ordinal)))
        {
            throw new ArgumentException($"Spawn name '{name}' must be non-empty and contain no dots.", nameof(name));
        }

        name ??= UniqueSpawnName(flow.Replace('.', '_'));
        if (FindSpawn(name) is not null)
        {
            throw new ArgumentException($"This state already spawned a child named '{name}'.", nameof(name));
        }

        var id = NewWaitId();
        var parameters = new JsonObject
        {
            ["flow"] = flow,
            ["input"] = JsonValues.ToNode(input, "spawn input"),
            ["name"] = name,
        };
        AddWait(new Wait(id, WaitTypes.Spawn, parameters, WaitStatus.Pending, null, null));
        return id;
    }

    /// <summary>
    /// Blocks the step for <paramref name="delay"/> (counted from the step's commit) on a durable timer: the job holds no worker
    /// meanwhile, a restart changes nothing, and the scheduler resolves the wait (with success) when the time has come; the
    /// step then goes on after the current handler, as with any wait. Cancelling the job cancels the timer.
    /// </summary>
    /// <param name="id">The wait id; unique among the state's waits.</param>
    /// <param name="delay">How long to sleep; more than zero.</param>
    /// <returns>The wait id (<paramref name="id"/>).</returns>
    /// <exception cref="ArgumentException">The id is empty or already used by this state.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is zero or negative.</exception>
    public string Sleep(string id, TimeSpan delay)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ThrowIfNotPositive(delay, $"Sleep '{id}': its delay", nameof(delay));
        var parameters = new JsonObject { ["delayMs"] = (long)Math.Ceiling(delay.TotalMilliseconds) };
        AddWait(new Wait(id, WaitTypes.Timer, parameters, WaitStatus.Pending, null, null) { Timeout = delay });
        return id;
    }

    /// <summary>Asks <paramref name="user"/> a question and blocks until a reply; the reply appears under <c>$escalation</c>.</summary>
    /// <returns>The wait id (which is also the escalation id in the scheduler).</returns>
    /// <exception cref="ArgumentException">
    /// An input id is one of <see cref="EscalationMetadataNames"/>, or two inputs share an id; the message names the id.
    /// </exception>
    public string Escalate(string user, string message, IEnumerable<EscalationInput> inputs) => Escalate(user, message, inputs, null);

    /// <summary>
    /// Asks <paramref name="user"/> a question and blocks until a reply or until <paramref name="timeout"/> (counted from the
    /// step's commit) passes: then the escalation becomes <c>Expired</c>, its wait resolves with the error
    /// <see cref="Wait.TimeoutError"/> (<c>$escalation.status</c> is <c>expired</c>), and the job goes on: its handler decides.
    /// </summary>
    /// <returns>The wait id (which is also the escalation id in the scheduler).</returns>
    /// <exception cref="ArgumentException">
    /// An input id is one of <see cref="EscalationMetadataNames"/>, or two inputs share an id; the message names the id.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or negative.</exception>
    public string Escalate(string user, string message, IEnumerable<EscalationInput> inputs, TimeSpan timeout)
    {
        ThrowIfNotPositive(timeout, "Escalate: its timeout", nameof(timeout));
        return Escalate(user, message, inputs, (TimeSpan?)timeout);
    }

    private string Escalate(string user, string message, IEnumerable<EscalationInput> inputs, TimeSpan? timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(inputs);
        var list = inputs.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in list)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(inputs));
            if (EscalationMetadataNames.Contains(input.Id, StringComparer.Ordinal))
            {
                throw new ArgumentException(
                    $"Escalation input id '{input.Id}' is reserved: {EscalationKey} already holds '{input.Id}' ({string.Join(", ", EscalationMetadataNames)} are reserved). Choose another id.",
                    nameof(inputs));
            }

            if (!seen.Add(input.Id))
            {
                throw new ArgumentException($"Escalation input id '{input.Id}' is used twice; each input needs an id of its own.", nameof(inputs));
            }
        }

        var id = NewWaitId();
        var parameters = new JsonObject
        {
            ["user"] = user,
            ["message"] = message,
            ["inputs"] = JsonValues.ToNode(list, "escalation inputs"),
        };
        AddWait(new Wait(id, WaitTypes.Escalation, parameters, WaitStatus.Pending, null, null) { Timeout = timeout });
        return id;
    }

    /// <summary>Resolves a pending wait with a success value; returns this context.</summary>
    /// <exception cref="WaitNotFoundException">No wait has this id.</exception>
    /// <exception cref="WaitAlreadyResolvedException">The wait is no longer pending.</exception>
    public StateContext Resolve(string waitId, object? output)
    {
        var index = PendingIndex(waitId);
        var wait = _waits![index] with { Status = WaitStatus.Success, Output = JsonValues.ToNode(output, "wait output") };
        _waits[index] = wait;
        Publish(wait, wait.Type == WaitTypes.Escalation ? "approved" : "success");
        return this;
    }

    /// <summary>Rejects a pending wait with an error; returns this context.</summary>
    /// <exception cref="WaitNotFoundException">No wait has this id.</exception>
    /// <exception cref="WaitAlreadyResolvedException">The wait is no longer pending.</exception>
    public StateContext Reject(string waitId, string error) => Reject(waitId, error, null);

    /// <summary>Rejects a pending wait with an error and a value (a rejected escalation's reply); returns this context.</summary>
    public StateContext Reject(string waitId, string error, object? output)
    {
        ArgumentNullException.ThrowIfNull(error);
        var index = PendingIndex(waitId);
        var wait = _waits![index] with { Status = WaitStatus.Error, Error = error, Output = JsonValues.ToNode(output, "wait output") };
        _waits[index] = wait;
        Publish(wait, wait.Type != WaitTypes.Escalation ? "error" : error == Wait.TimeoutError ? "expired" : "rejected");
        return this;
    }

    /// <summary>Rejects a pending spawn wait because its child was cancelled: <c>$spawn.&lt;name&gt;.status</c> is <c>cancelled</c>.</summary>
    public StateContext Cancel(string waitId)
    {
        var index = PendingIndex(waitId);
        var wait = _waits![index] with { Status = WaitStatus.Error, Error = "cancelled" };
        _waits[index] = wait;
        Publish(wait, "cancelled");
        return this;
    }

    private void Publish(Wait wait, string status)
    {
        if (wait.Type == WaitTypes.Spawn)
        {
            var name = wait.Params?["name"]?.GetValue<string>() ?? wait.Id;
            var entry = new JsonObject { ["status"] = status };
            if (wait.Status == WaitStatus.Success)
            {
                entry["result"] = wait.Output?.DeepClone();
            }
            else
            {
                entry["error"] = wait.Error;
            }

            JsonPath.Set(Data, SpawnKey + "." + name, entry);
        }
        else if (wait.Type == WaitTypes.Escalation)
        {
            var entry = new JsonObject
            {
                ["id"] = wait.Id,
                ["user"] = wait.Params?["user"]?.DeepClone(),
                ["message"] = wait.Params?["message"]?.DeepClone(),
                ["inputs"] = wait.Params?["inputs"]?.DeepClone(),
                ["status"] = status,
            };
            if (wait.Output is JsonObject values)
            {
                foreach (var (key, value) in values)
                {
                    // The metadata wins: an input cannot use its names (Escalate refuses them), so only an unchecked value can.
                    if (!entry.ContainsKey(key))
                    {
                        entry[key] = value?.DeepClone();
                    }
                }
            }

            Data[EscalationKey] = entry;
        }
    }

    private int PendingIndex(string waitId)
    {
        ArgumentNullException.ThrowIfNull(waitId);
        var index = _waits?.FindIndex(w => string.Equals(w.Id, waitId, StringComparison.Ordinal)) ?? -1;
        if (index < 0)
        {
            throw new WaitNotFoundException(JobId, waitId);
        }

        if (!_waits![index].IsPending)
        {
            throw new WaitAlreadyResolvedException(JobId, waitId);
        }

        return index;
    }

    /// <summary>Marks the context as routing <paramref name="where"/> (waits refused), or as back in a handler when null.</summary>
    internal void EnterRouting(string? where) => _routingIn = where;

    private void AddWait(Wait wait)
    {
        if (_routingIn is { } where)
        {
            throw new WaitOutsideHandlerException(State, where, wait.Type);
        }

        _waits ??= [];
        if (_waits.Exists(w => string.Equals(w.Id, wait.Id, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"This state already has a wait '{wait.Id}'.", nameof(wait));
        }

        _waits.Add(wait);
    }

    private Wait? FindSpawn(string name) =>
        _waits?.Find(w => w.Type == WaitTypes.Spawn && string.Equals(w.Params?["name"]?.GetValue<string>(), name, StringComparison.Ordinal));

    private string UniqueSpawnName(string flow)
    {
        if (FindSpawn(flow) is null)
        {
            return flow;
        }

        for (var n = 2; ; n++)
        {
            var candidate = flow + "-" + n.ToString(CultureInfo.InvariantCulture);
            if (FindSpawn(candidate) is null)
            {
                return candidate;
            }
        }
    }

    private List<Wait>? CloneWaits()
    {
        if (_waits is null || _waits.Count == 0)
        {
            return null;
        }

        var copy = new List<Wait>(_waits.Count);
        foreach (var wait in _waits)
        {
            copy.Add(wait.DeepClone());
        }

        return copy;
    }

    private static void ThrowIfNotPositive(TimeSpan value, string what, string paramName)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{what} must be more than zero (was {value}).");
        }
    }

    private static string NewWaitId() => "w_" + Guid.NewGuid().ToString("N");
}
