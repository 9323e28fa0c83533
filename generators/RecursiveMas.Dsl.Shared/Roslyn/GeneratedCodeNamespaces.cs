using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace RecursiveMas.Dsl.Roslyn;

/// <summary>
/// The namespaces generated code names from the global namespace (<c>global::System.…</c>, <c>global::RecursiveMas.…</c>,
/// <c>global::TorchSharp.…</c>), and the source types that hide them. Every name the generated code writes is
/// <c>global::</c>-qualified, so a type named <c>System</c> in the user's own namespace changes nothing; but a non-generic
/// type of that name in the global namespace of the project wins over the referenced namespace even after
/// <c>global::</c> (CS0437, then CS0426 in every generated file), and nothing the generated code can write reaches the
/// namespace again. So the generator writes nothing there, and the analyzers report RMAS0024 on each agent and system
/// class, naming the type.
/// </summary>
internal static class GeneratedCodeNamespaces
{
    /// <summary>The first names of the namespaces generated code writes after <c>global::</c>, in ordinal order.</summary>
    public static IReadOnlyList<string> Roots { get; } = ["RecursiveMas", "System", "TorchSharp"];

    /// <summary>
    /// The <see cref="Roots"/> that a non-generic type declared in <paramref name="compilation"/>'s global namespace hides
    /// (usually none). A generic type of the name does not hide the namespace: <c>global::System.IDisposable</c> looks
    /// up <c>System</c> without type arguments.
    /// </summary>
    public static EquatableArray<string> HiddenIn(Compilation compilation) =>
        Roots.Where(root => compilation.Assembly.GlobalNamespace.GetTypeMembers(root, 0).Length > 0).ToEquatableArray();
}
