namespace Envoy;

/// <summary>
/// Receives the progress a running step reports with <see cref="StateContext.Report(object?)"/>. The scheduler sets one on the
/// context while a step of a job runs (it publishes the progress as a live, non-durable event); in an in-process run, set your
/// own on the context (<see cref="StateContext.ProgressReporter"/>) to receive the reports, or leave it unset and they are ignored.
/// </summary>
public interface IProgressReporter
{
    /// <summary>
    /// Takes one report of <paramref name="context"/>'s step. Must not block and should not throw: it is called on the step's
    /// own thread, possibly many times a second (for example once per streamed model token).
    /// </summary>
    /// <param name="context">The context of the step that reports.</param>
    /// <param name="progress">The progress: any JSON-serializable value (a number, a string, an object), or null.</param>
    void Report(StateContext context, object? progress);
}
