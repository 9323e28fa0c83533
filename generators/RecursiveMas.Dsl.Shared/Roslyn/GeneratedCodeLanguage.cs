using Microsoft.CodeAnalysis.CSharp;

namespace RecursiveMas.Dsl.Roslyn;

/// <summary>
/// The C# version the generated code is written in: C# 10 (file-scoped namespaces; records, init-only setters,
/// target-typed <c>new</c> and <c>not</c> patterns are C# 9). Below it the generator emits nothing and the analyzers report
/// RMAS0020 on each agent and system class, instead of errors inside generated files that name no cause. Rewriting the
/// emitter for C# 7.3 would buy little: the runtime the generated code calls targets net10.0, whose default is C# 14, so
/// only a project that lowers its LangVersion on purpose is below this.
/// </summary>
internal static class GeneratedCodeLanguage
{
    /// <summary>The oldest version the generated code compiles with.</summary>
    public const LanguageVersion Minimum = LanguageVersion.CSharp10;

    /// <summary>Whether code compiled as <paramref name="version"/> can hold the generated code.</summary>
    public static bool Compiles(LanguageVersion version) => version.MapSpecifiedToEffectiveVersion() >= Minimum;
}
