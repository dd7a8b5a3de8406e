using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Envoy.AspNetCore.Json;

/// <summary>
/// The source-generated JSON contracts of the API (web defaults: camelCase, case-insensitive reads). Every route writes with
/// these, whatever JSON options the host app uses. Add each new request and answer type here.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(JobJson))]
[JsonSerializable(typeof(List<JobJson>))]
[JsonSerializable(typeof(WaitJson))]
[JsonSerializable(typeof(JobListJson))]
[JsonSerializable(typeof(JobEventJson))]
[JsonSerializable(typeof(List<JobEventJson>))]
[JsonSerializable(typeof(ScheduleJobRequest))]
[JsonSerializable(typeof(FailJobRequest))]
[JsonSerializable(typeof(ResolveWaitRequest))]
[JsonSerializable(typeof(ProblemJson))]
[JsonSerializable(typeof(FlowJson))]
[JsonSerializable(typeof(List<FlowSummaryJson>))]
[JsonSerializable(typeof(EscalationJson))]
[JsonSerializable(typeof(List<EscalationJson>))]
[JsonSerializable(typeof(EscalationReplyRequest))]
[JsonSerializable(typeof(StatsJson))]
[JsonSerializable(typeof(HealthJson))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(RecurringJson))]
[JsonSerializable(typeof(List<RecurringJson>))]
[JsonSerializable(typeof(RecurringRequest))]
[JsonSerializable(typeof(List<WorkerJson>))]
public sealed partial class EnvoyApiJsonContext : JsonSerializerContext;
