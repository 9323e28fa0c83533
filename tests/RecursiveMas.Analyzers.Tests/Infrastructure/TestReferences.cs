using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace RecursiveMas.Analyzers.Tests.Infrastructure;

/// <summary>
/// The references of every test compilation: the .NET reference assemblies, taken from the reference
/// pack of the SDK that built this test project (no NuGet download at test time; CI has only the
/// package feed), plus the RecursiveMas runtime for the attributes.
/// </summary>
/// <remarks>
/// <c>ReferenceAssemblies.Net.Net80</c> and friends would fetch Microsoft.NETCore.App.Ref through
/// NuGet into a temporary folder while the tests run. Here the pack is found, in order, under the
/// SDK's <c>packs</c> folder, in the NuGet global packages folder, and, failing both, the running
/// runtime's own assemblies stand in.
/// </remarks>
internal static class TestReferences
{
    /// <summary>An empty reference set, so the testing library resolves nothing through NuGet.</summary>
    public static ReferenceAssemblies None { get; } = new(Metadata("TargetFramework") ?? "net10.0");

    /// <summary>The framework reference assemblies.</summary>
    public static ImmutableArray<MetadataReference> Framework { get; } = LoadFramework();

    /// <summary>The RecursiveMas runtime, which declares the DSL attributes.</summary>
    public static MetadataReference RecursiveMas { get; } = MetadataReference.CreateFromFile(typeof(AgentAttribute).Assembly.Location);

    static ImmutableArray<MetadataReference> LoadFramework()
    {
        var targetFramework = Metadata("TargetFramework") ?? "net10.0";
        var version = Metadata("BundledNETCoreAppPackageVersion") ?? Environment.Version.ToString();
        var candidates = new[]
        {
            Path.Combine(Metadata("NetCoreTargetingPackRoot") ?? "", "Microsoft.NETCore.App.Ref", version, "ref", targetFramework),
            Path.Combine(
                Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
                "microsoft.netcore.app.ref", version, "ref", targetFramework),
        };
        foreach (var directory in candidates.Where(Directory.Exists))
        {
            return Directory.GetFiles(directory, "*.dll").Select(f => (MetadataReference)MetadataReference.CreateFromFile(f)).ToImmutableArray();
        }

        var trusted = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator);
        return trusted
            .Where(p => Path.GetFileName(p) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "mscorlib.dll" or "netstandard.dll"))
            .Select(f => (MetadataReference)MetadataReference.CreateFromFile(f))
            .ToImmutableArray();
    }

    internal static string? Metadata(string key) =>
        typeof(TestReferences).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}
