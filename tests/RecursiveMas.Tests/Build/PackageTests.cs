using System.IO.Compression;
using System.Reflection;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Build;

/// <summary>
/// The RecursiveMas package as <c>dotnet pack</c> makes it: the analyzers and generator inside, the pages
/// of every diagnostic, and the props that points the analyzers' help links at those pages — evaluated
/// by MSBuild from the extracted package, as a consuming project would.
/// </summary>
public sealed class PackageTests : IDisposable
{
    readonly string _work = Directory.CreateTempSubdirectory("rmas-pack-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void ThePackageShipsTheDiagnosticPagesItsHelpLinksOpen()
    {
        // Packs what the test run already built, in the configuration it was built in.
        string configuration = typeof(PackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        string project = Path.Combine(RepositoryRoot.Path, "src", "RecursiveMas", "RecursiveMas.csproj");
        var (packExit, packOutput) = CliProcess.Dotnet("pack", project, "-c", configuration, "--no-build", "--nologo", "-o", Path.Combine(_work, "feed"));
        Assert.True(packExit == 0, packOutput);

        string package = Assert.Single(Directory.GetFiles(Path.Combine(_work, "feed"), "RecursiveMas.*.nupkg"));
        string extracted = Path.Combine(_work, "package");
        ZipFile.ExtractToDirectory(package, extracted);

        Assert.True(File.Exists(Path.Combine(extracted, "analyzers", "dotnet", "cs", "RecursiveMas.Analyzers.dll")));
        Assert.True(File.Exists(Path.Combine(extracted, "analyzers", "dotnet", "cs", "RecursiveMas.Generators.dll")));
        var pages = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics"), "RMAS*.md").Select(Path.GetFileName).Order().ToList();
        Assert.NotEmpty(pages);
        Assert.Equal(pages, Directory.GetFiles(Path.Combine(extracted, "docs", "diagnostics"), "RMAS*.md").Select(Path.GetFileName).Order());

        // MSBuild evaluates the package's props where NuGet imports it from (build/ and buildTransitive/).
        foreach (string folder in new[] { "build", "buildTransitive" })
        {
            string probe = Path.Combine(_work, folder + ".proj");
            File.WriteAllText(probe, $"""
                <Project>
                  <Import Project="{Path.Combine(extracted, folder, "RecursiveMas.props")}" />
                  <Target Name="Build" />
                </Project>
                """);
            var (exit, docs) = CliProcess.Dotnet("msbuild", probe, "-nologo", "-getProperty:RecursiveMasDiagnosticDocs");
            Assert.True(exit == 0, docs);
            Assert.Equal(Path.Combine(extracted, "docs", "diagnostics") + Path.DirectorySeparatorChar, docs.Trim());
            Assert.All(pages, page => Assert.True(File.Exists(Path.Combine(docs.Trim(), page!)), page));

            var (itemExit, items) = CliProcess.Dotnet("msbuild", probe, "-nologo", "-getItem:CompilerVisibleProperty");
            Assert.True(itemExit == 0, items);
            Assert.Contains("\"Identity\": \"RecursiveMasDiagnosticDocs\"", items);
        }
    }
}
