using Envoy;

namespace FlowBasics;

public static partial class DocSnippets
{
    // docs/operations.md, "Progress and streaming": a step that reports its progress.
    public static StateFlow ImportFlow() => new(
    [
        new State("Import")
        {
            OnState = async ctx =>
            {
                var rows = ctx.Input<string[]>() ?? [];
                for (var i = 0; i < rows.Length; i++)
                {
                    await ImportRowAsync(rows[i], ctx.CancellationToken);
                    ctx.Report(new { done = i + 1, total = rows.Length });
                }

                return ctx.Output(rows.Length);
            },
        },
    ]);

    // docs/operations.md, "Progress and streaming": the reports of an in-process run, with a reporter of your own.
    public static async Task RunWithProgressAsync()
    {
        var context = ImportFlow().NewContext(new[] { "a", "b", "c" });
        context.ProgressReporter = new ConsoleProgress();
        var done = await ImportFlow().ResumeAsync(context);
        Console.WriteLine($"imported {done.Output<int>()} rows");
    }

    private static Task ImportRowAsync(string row, CancellationToken cancellationToken) => Task.CompletedTask;

    private sealed class ConsoleProgress : IProgressReporter
    {
        public void Report(StateContext context, object? progress) => Console.WriteLine($"{context.State}: {progress}");
    }
}
