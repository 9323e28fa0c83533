namespace RecursiveMas.Tests.Support;

/// <summary>The checkout's root folder (the one holding RecursiveMas.sln), found upward from the test binaries.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "RecursiveMas.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no RecursiveMas.sln above {AppContext.BaseDirectory}");
    }
}
