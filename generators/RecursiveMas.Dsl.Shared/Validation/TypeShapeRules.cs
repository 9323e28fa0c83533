using System.Collections.Generic;

namespace RecursiveMas.Dsl;

/// <summary>
/// The rules about what a declared type must be for generated code to extend or name it (<see cref="TypeShape"/>):
/// RMAS0015 (a class that is both an agent and a system), RMAS0016 (a system class the generator cannot extend) and
/// RMAS0017 (an agent type generated code cannot name). Without them these shapes were CS errors inside generated
/// files (CS0708, CS0144, CS8862, CS7036, CS0718, CS7003) or silently got no code, or code for another class.
/// </summary>
internal static class TypeShapeRules
{
    /// <summary>RMAS0015 and RMAS0016 for a <c>[RecursiveSystem]</c> class, at its identifier.</summary>
    public static IEnumerable<Problem> CheckSystem(TypeRef type)
    {
        var site = Site.Declaration(type.FullName);
        if (Has(type, TypeShape.AgentAndSystem))
        {
            yield return Problem.Create(DiagnosticKind.AgentAndSystem, site, type.Name);
        }

        if (Has(type, TypeShape.Static))
        {
            yield return Unsupported("is static, but the generated system is an instance (Load returns one; it holds the loaded models and is IDisposable): remove 'static'");
        }
        else if (Has(type, TypeShape.Abstract))
        {
            yield return Unsupported("is abstract, but the generated Load creates an instance of it: remove 'abstract'");
        }

        if (Has(type, TypeShape.Generic))
        {
            yield return Unsupported("is generic or nested in a generic type, which the generator does not extend: declare the system in a non-generic class");
        }

        if (Has(type, TypeShape.FileLocal))
        {
            yield return Unsupported("is file-local, so the part the generator adds in another file would be another class: remove 'file'");
        }

        if (Has(type, TypeShape.PrimaryConstructor))
        {
            yield return Unsupported("has a primary constructor, which the generated private constructor would have to call with arguments it does not have: declare an ordinary constructor instead");
        }

        if (Has(type, TypeShape.NoParameterlessBaseConstructor))
        {
            yield return Unsupported($"derives from '{type.BaseType}', which has no constructor that the generated private constructor can call without arguments: give '{type.BaseType}' an accessible parameterless constructor, or do not derive from it");
        }

        Problem Unsupported(string reason) => Problem.Create(DiagnosticKind.UnsupportedSystemClass, site, type.Name, reason);
    }

    /// <summary>RMAS0017 for an <c>[Agent]</c> type's own declaration (static, file-local), at its identifier.</summary>
    public static IEnumerable<Problem> CheckAgent(TypeRef type)
    {
        var site = Site.Declaration(type.FullName);
        if (Has(type, TypeShape.Static))
        {
            yield return Problem.Create(DiagnosticKind.UnsupportedAgentType, site, type.Name,
                $"is static, and a static class cannot be a type argument of the generated code (Thoughts<{type.Name}>, Message<From, {type.Name}>): remove 'static'");
        }

        if (Has(type, TypeShape.FileLocal))
        {
            yield return Problem.Create(DiagnosticKind.UnsupportedAgentType, site, type.Name,
                "is file-local, so generated code in another file cannot name it, and the constants the generator adds would go to another class: remove 'file'");
        }
    }

    /// <summary>RMAS0017 for an agent a system names as an open generic type (<c>typeof(P&lt;&gt;)</c>), at that argument.</summary>
    public static IEnumerable<Problem> CheckMention(AgentSpec agent, Site mention)
    {
        if (Has(agent.Type, TypeShape.OpenGeneric))
        {
            yield return Problem.Create(DiagnosticKind.UnsupportedAgentType, mention, agent.Name,
                $"is named as an open generic type, which generated code cannot use as a type argument: name it with its type arguments, such as typeof({agent.Name}<int>)");
        }
    }

    static bool Has(TypeRef type, TypeShape shape) => (type.Shape & shape) != 0;
}
