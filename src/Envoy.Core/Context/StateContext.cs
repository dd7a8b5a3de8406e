using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>
/// Everything a flow run carries from step to step: the current state and step, this state's input and output,
/// custom data, waits, and how the run ended. Handlers receive a working copy for the step and return it;
/// <see cref="StateFlow.StepAsync(StateContext, CancellationToken)"/> never changes the context passed to it.
/// Values are JSON (System.Text.Json); typed accessors use <see cref="EnvoyJson.Options"/>.
/// </summary>
public sealed partial class StateContext
{
    private JsonNode? _input;
    private JsonNode? _output;

    /// <summary>Creates a context at <paramref name="state"/>, step 1, with the given input as both input and output.</summary>
    public StateContext(string state, object? input = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(state);
        State = state;
        Step = 1;
        _input = JsonValues.ToNode(input, "input");
        _output = _input?.DeepClone();
    }

    private StateContext(string state, int step)
    {
        State = state;
        Step = step;
    }

    /// <summary>The current state's name.</summary>
    public string State { get; private set; }

    /// <summary>The step number, starting at 1; it grows by one on each transition.</summary>
    public int Step { get; private set; }

    /// <summary><c>null</c> while the run goes on; otherwise why it ended.</summary>
    public DoneReason? Done { get; private set; }

    /// <summary>The error text of a failed run (<see cref="Fail(string)"/>, an unknown route, <c>MaxSteps</c>).</summary>
    public string? Error { get; private set; }

    /// <summary>Where the current step resumes (see <see cref="StepPhase"/>).</summary>
    public StepPhase Phase { get; private set; }

    /// <summary>For plugin phases: the index of the next plugin to run.</summary>
    public int PhaseIndex { get; private set; }

    /// <summary>The job this context belongs to; <c>null</c> in an in-process run. Set by the scheduler.</summary>
    public string? JobId { get; set; }

    /// <summary>Signalled when the job is cancelled or the worker stops (the token given to the step). Not serialized.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// Where <see cref="Report(object?)"/> sends progress: set by the scheduler while a step of a job runs; <c>null</c> (reports
    /// ignored) in an in-process run unless you set one. Not serialized; carried over by <see cref="Clone"/>.
    /// </summary>
    public IProgressReporter? ProgressReporter { get; set; }

    /// <summary>
    /// The limits shared by every process on the job's store (an agent's model calls: pauses after a provider's <c>429</c>, token
    /// caps), set by the scheduler while a step of a job runs; null in an in-process run (then nothing is shared). Not
    /// serialized; carried over by <see cref="Clone"/>.
    /// </summary>
    public ISharedLimits? SharedLimits { get; set; }

    /// <summary>The current state's input as JSON (the previous state's mapped output).</summary>
    public JsonNode? Input() => _input;

    /// <summary>The current state's input as <typeparamref name="T"/>; <c>default</c> when there is none.</summary>
    /// <exception cref="ContextValueException">The input does not hold a <typeparamref name="T"/>.</exception>
    public T? Input<T>() => JsonValues.FromNode<T>(_input, "input");

    /// <summary>The output as JSON. It starts as the input, so a state that sets none passes its input along.</summary>
    public JsonNode? Output() => _output;

    /// <summary>The output as <typeparamref name="T"/>; <c>default</c> when there is none.</summary>
    /// <exception cref="ContextValueException">The output does not hold a <typeparamref name="T"/>.</exception>
    public T? Output<T>() => JsonValues.FromNode<T>(_output, "output");

    /// <summary>Sets the output; returns this context.</summary>
    public StateContext Output(object? value)
    {
        _output = JsonValues.ToNode(value, "output");
        return this;
    }

    /// <summary>Sets one field inside the output (<c>a.b.c</c>), creating objects on the way; returns this context.</summary>
    public StateContext Output(string path, object? value)
    {
        JsonPath.Validate(path);
        if (_output is not JsonObject obj)
        {
            obj = new JsonObject();
            _output = obj;
        }

        JsonPath.Set(obj, path, JsonValues.ToNode(value, "output." + path));
        return this;
    }

    /// <summary>Ends the run with <see cref="DoneReason.Error"/> and this message; in a scheduled job the step fails (and may be retried).</summary>
    public StateContext Fail(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Error = message;
        Done = DoneReason.Error;
        return this;
    }

    /// <summary>
    /// Reports the running step's progress (a percentage, a status line, the partial answer of a model): in a scheduled job, a
    /// live event (<c>JobProgressEvent</c>) that reaches <c>Scheduler.Events</c>, the store-wide events of every process, the
    /// SSE stream and the dashboard. Not stored, not part of the context, best effort: frequent reports are coalesced (the latest
    /// value wins, the last one of a step is always sent), and a report never blocks or fails the step. Without a
    /// <see cref="ProgressReporter"/> (an in-process run) it does nothing.
    /// </summary>
    /// <param name="progress">Any JSON-serializable value, or null.</param>
    public void Report(object? progress) => ProgressReporter?.Report(this, progress);

    /// <summary>A deep copy (the cancellation token, job id and progress reporter carried over).</summary>
    public StateContext Clone()
    {
        var copy = new StateContext(State, Step)
        {
            _input = _input?.DeepClone(),
            _output = _output?.DeepClone(),
            _data = _data is null || _data.Count == 0 ? null : (JsonObject)_data.DeepClone(),
            _waits = CloneWaits(),
            Done = Done,
            Error = Error,
            Phase = Phase,
            PhaseIndex = PhaseIndex,
            JobId = JobId,
            CancellationToken = CancellationToken,
            ProgressReporter = ProgressReporter,
            SharedLimits = SharedLimits,
        };
        return copy;
    }

    /// <inheritdoc />
    public override string ToString() => $"{State} (step {Step}{(Done is null ? string.Empty : ", " + Done)})";

    /// <summary>Records where the step stopped so that it resumes there once the waits resolve.</summary>
    internal void StopAt(StepPhase phase, int index)
    {
        Phase = phase;
        PhaseIndex = index;
    }

    /// <summary>Moves to the next state: input = mapped output, output = a copy of it, step + 1, <c>$</c> keys and waits dropped.</summary>
    internal void TransitionTo(string next, JsonNode? nextInput)
    {
        State = next;
        Step++;
        _input = nextInput;
        _output = nextInput?.DeepClone();
        _waits = null;
        Phase = StepPhase.PluginEnter;
        PhaseIndex = 0;
        DropEphemeralData();
    }

    /// <summary>Ends the run.</summary>
    internal void Finish(DoneReason reason, string? error = null)
    {
        Done = reason;
        Error = error ?? Error;
        Phase = StepPhase.PluginEnter;
        PhaseIndex = 0;
    }

    /// <summary>Marks the run cancelled (used by the scheduler when a job is cancelled).</summary>
    public StateContext MarkCancelled(string? reason = null)
    {
        Done = DoneReason.Cancelled;
        Error = reason ?? "cancelled";
        return this;
    }
}
