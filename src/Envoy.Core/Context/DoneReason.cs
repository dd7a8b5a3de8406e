namespace Envoy;

/// <summary>Why a flow run ended.</summary>
public enum DoneReason
{
    /// <summary>A router ended the flow.</summary>
    Finished,

    /// <summary><see cref="StateContext.Fail(string)"/> was called, or a route name was unknown.</summary>
    Error,

    /// <summary>The job was cancelled.</summary>
    Cancelled,

    /// <summary>The run reached <see cref="StateFlowOptions.MaxSteps"/>.</summary>
    MaxSteps,
}
