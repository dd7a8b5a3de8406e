using System.Globalization;

namespace Envoy.PgWorker;

/// <summary>
/// The rate-limit test's record of step starts (issue 18): the first thing a handler of the <c>rated</c> flow does is append
/// <c>{key} {unix ms}</c> to this process's own file (<c>{dir}/{pid}.starts</c>), the time read from the machine clock the
/// scheduler's permits use (<see cref="TimeProvider.System"/>), and flush it, so a job that is done has its line on disk. The
/// file is created at the first start (a process that only schedules has none).
/// </summary>
public sealed class StartLog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly string _directory;
    private StreamWriter? _writer;

    public StartLog(string directory) => _directory = directory;

    /// <summary>Records a start of <paramref name="key"/> now.</summary>
    public void Record(string key)
    {
        var at = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_gate)
        {
            if (_writer is null)
            {
                Directory.CreateDirectory(_directory);
                _writer = new StreamWriter(Path.Combine(_directory, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".starts"), append: true) { AutoFlush = true };
            }

            _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key} {at}"));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer?.Dispose();
        }
    }
}
