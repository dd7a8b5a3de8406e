namespace Envoy.Storage.Sqlite.Tests;

/// <summary>A directory of its own under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = NewPath();
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A path for a new directory under the system temp folder (not created).</summary>
    public static string NewPath() => System.IO.Path.Combine(System.IO.Path.GetTempPath(), "envoy-sqlite-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Deletes a directory and everything in it, if it is there.</summary>
    public static void Delete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still open elsewhere: the OS temp cleaner removes it later.
        }
    }

    public void Dispose() => Delete(Path);
}
