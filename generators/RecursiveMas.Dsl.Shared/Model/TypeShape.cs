namespace RecursiveMas.Dsl;

/// <summary>
/// What a user type's declaration is, beyond its name and nesting, that decides whether generated code can extend or
/// name it (<see cref="TypeShapeRules"/>). <see cref="None"/> for the types a SYSTEM.json names, which have no declaration.
/// </summary>
[System.Flags]
internal enum TypeShape
{
    /// <summary>An ordinary class.</summary>
    None = 0,

    /// <summary>Declared <c>static</c>.</summary>
    Static = 1,

    /// <summary>Declared <c>abstract</c>.</summary>
    Abstract = 2,

    /// <summary>It, or a type it is nested in, has type parameters.</summary>
    Generic = 4,

    /// <summary>Named as an open generic type, <c>typeof(P&lt;&gt;)</c>.</summary>
    OpenGeneric = 8,

    /// <summary>Declared <c>file</c>, or nested in a type that is: a part in another file is another type.</summary>
    FileLocal = 16,

    /// <summary>Has a primary constructor (a parameter list on the class or record).</summary>
    PrimaryConstructor = 32,

    /// <summary>Its base class has no constructor callable without arguments from a derived class.</summary>
    NoParameterlessBaseConstructor = 64,

    /// <summary>Carries both <c>[Agent]</c> and <c>[RecursiveSystem]</c>.</summary>
    AgentAndSystem = 128,
}
