using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Envoy.Cli.Commands;
using Envoy.Cli.Config;

namespace Envoy.Cli.Api;

/// <summary>The source-generated JSON metadata of everything the CLI reads or writes (web defaults: camelCase).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(JobView))]
[JsonSerializable(typeof(JobListView))]
[JsonSerializable(typeof(List<JobView>))]
[JsonSerializable(typeof(List<HistoryEntryView>))]
[JsonSerializable(typeof(List<FlowSummaryView>))]
[JsonSerializable(typeof(FlowView))]
[JsonSerializable(typeof(EscalationView))]
[JsonSerializable(typeof(List<EscalationView>))]
[JsonSerializable(typeof(StatsView))]
[JsonSerializable(typeof(ProblemView))]
[JsonSerializable(typeof(JobEventData))]
[JsonSerializable(typeof(ScheduleRequest))]
[JsonSerializable(typeof(FailRequest))]
[JsonSerializable(typeof(ResolveRequest))]
[JsonSerializable(typeof(ReplyRequest))]
[JsonSerializable(typeof(ProfileFile))]
[JsonSerializable(typeof(MigrationReport))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(List<RecurringView>))]
[JsonSerializable(typeof(RecurringView))]
[JsonSerializable(typeof(RecurringSetRequest))]
[JsonSerializable(typeof(List<WorkerView>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
