namespace RecursiveMas.Dsl;

/// <summary>
/// A user type that the DSL names (an agent or a system), as strings only: enough to name it in
/// generated code and to rebuild its nesting as <c>partial</c> declarations.
/// </summary>
/// <param name="FullName">The fully qualified name without <c>global::</c>, e.g. <c>MyApp.Agents.Planner</c>.</param>
/// <param name="Name">The simple name, e.g. <c>Planner</c>: what <c>{from:Planner}</c> refers to.</param>
/// <param name="Namespace">The containing namespace, empty for the global namespace.</param>
/// <param name="Keyword">The declaration keyword: <c>class</c> or <c>record</c>.</param>
/// <param name="IsPartial">Whether every source declaration of the type is <c>partial</c>.</param>
/// <param name="IsInSource">Whether the type is declared in the compilation being analyzed (not in a referenced assembly).</param>
/// <param name="ContainingTypes">The types it is nested in, outermost first; empty for a top-level type.</param>
/// <param name="Visibility">Where the type can be seen from, its containing types included.</param>
/// <param name="Shape">What else its declaration is (static, generic, file-local, …) that generated code must respect.</param>
/// <param name="BaseType">Its base class's name when <paramref name="Shape"/> has <see cref="TypeShape.NoParameterlessBaseConstructor"/>, for the message; else empty.</param>
/// <param name="TypeParameters">
/// The names of its own type parameters (<c>T</c> of <c>Planner&lt;T&gt;</c>), also when it is named with type arguments
/// (<c>typeof(Planner&lt;int&gt;)</c>): what a partial declaration of it repeats. Empty for a non-generic type.
/// </param>
internal sealed record TypeRef(
    string FullName,
    string Name,
    string Namespace,
    string Keyword,
    bool IsPartial,
    bool IsInSource,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    TypeVisibility Visibility = TypeVisibility.Public,
    TypeShape Shape = TypeShape.None,
    string BaseType = "",
    EquatableArray<string> TypeParameters = default)
{
    /// <summary>The name to use in generated code: <c>global::</c> + <see cref="FullName"/>.</summary>
    public string GlobalName => "global::" + FullName;
}

/// <summary>A type that contains an agent or system type.</summary>
/// <param name="Name">The simple name.</param>
/// <param name="Keyword">The declaration keyword: <c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c> or <c>interface</c>.</param>
/// <param name="IsPartial">Whether every source declaration of the type is <c>partial</c>.</param>
/// <param name="TypeParameters">The names of its type parameters (<c>T</c> of <c>Outer&lt;T&gt;</c>); empty for a non-generic type.</param>
internal sealed record ContainingTypeSpec(string Name, string Keyword, bool IsPartial, EquatableArray<string> TypeParameters = default);

/// <summary>
/// Where a type can be seen from, its containing types included: what a generated member whose signature names it may
/// declare (a <c>public</c> property of an <c>internal</c> agent's type does not compile, CS0053).
/// </summary>
internal enum TypeVisibility
{
    /// <summary>Private, protected or private protected somewhere along the nesting: only its own containing type sees it.</summary>
    Private = 0,

    /// <summary>Internal (or protected internal) somewhere along the nesting: the assembly sees it.</summary>
    Internal = 1,

    /// <summary>Public all the way out.</summary>
    Public = 2,
}
