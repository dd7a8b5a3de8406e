using Envoy.Runtime.Execution;
using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// The check every job's run starts with (issue 13, fanout on SQLite): a job that can run allocates nothing there (it built
/// the versions' list and message for every job before), and the messages of a job that cannot are unchanged.
/// </summary>
public sealed class FlowVersionCheckTests
{
    private static FlowRegistry Registry()
    {
        var flows = new FlowRegistry();
        flows.Add("f", new StateFlow([new State("A") { OnState = async ctx => ctx, Router = Router.End }]), new FlowOptions { Version = "v1" });
        flows.Add("f", new StateFlow([new State("B") { OnState = async ctx => ctx, Router = Router.End }]), new FlowOptions { Version = "v2" });
        return flows;
    }

    private static JobRecord Record(string version, string state) =>
        new() { Id = Guid.NewGuid().ToString(), Flow = "f", FlowVersion = version, Status = JobStatus.Running, ContextJson = new StateContext(state).Serialize() };

    [Fact]
    public void Problem_AJobThatCanRun_IsNull_AndAllocatesNothing()
    {
        var flows = Registry();
        var record = Record("v1", "A");
        var context = new StateContext("A");
        var registered = flows.TryGet("f", "v1");
        Assert.Null(FlowVersionCheck.Problem(flows, record, registered, context)); // warm (JIT)

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            registered = flows.TryGet("f", record.FlowVersion);
            Assert.Null(FlowVersionCheck.Problem(flows, record, registered, context));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Problem_AVersionNotRegistered_NamesItAndTheVersionsHere()
    {
        var flows = Registry();

        var problem = FlowVersionCheck.Problem(flows, Record("v9", "A"), flows.TryGet("f", "v9"), new StateContext("A"));

        Assert.Equal("Flow 'f' version 'v9' of this job is not registered with this scheduler (its versions: 'v1', 'v2').", problem);
    }

    [Fact]
    public void Problem_AStateOfAnotherVersion_NamesTheVersionsThatHaveIt()
    {
        var flows = Registry();

        var problem = FlowVersionCheck.Problem(flows, Record("v1", "B"), flows.TryGet("f", "v1"), new StateContext("B"));

        Assert.Equal(
            "State 'B' of the job is not a state of flow 'f' version 'v1', the version it runs on (versions registered here: 'v1', 'v2'; it is a state of 'v2' only).",
            problem);
    }
}
