using System.Collections.Generic;
using System.Linq;

namespace RecursiveMas.Dsl;

/// <summary>
/// The rules about one <c>[Agent]</c> class that hold whatever system uses it: declaration, model,
/// hidden size against config.json, latent steps, and prompt syntax. Rules that depend on a system's
/// edges (which <c>{from:X}</c> slots a prompt needs, <c>{feedback}</c>) are in <see cref="SystemValidator"/>.
/// </summary>
internal static class AgentValidator
{
    /// <summary>The problems of <paramref name="agent"/>, in declaration order.</summary>
    public static IEnumerable<Problem> Validate(AgentSpec agent)
    {
        var owner = agent.FullName;
        var modelArgument = Site.Argument(owner, agent.AttributeIndex, 0);
        var hiddenSizeArgument = Site.Named(owner, agent.AttributeIndex, "HiddenSize");

        foreach (var problem in PartialRules.Check(agent.Type, "an agent").Concat(TypeShapeRules.CheckAgent(agent.Type)))
        {
            yield return problem;
        }

        if (string.IsNullOrWhiteSpace(agent.Model))
        {
            yield return Problem.Create(DiagnosticKind.EmptyModel, modelArgument, agent.Name);
        }
        else if (FileNameRules.WhyOutsideModelRoot(agent.Model) is { } outside)
        {
            yield return Problem.Create(DiagnosticKind.ModelOutsideRoot, modelArgument, agent.Name, agent.Model, outside);
        }
        else if (FileNameRules.WhyPaddedWithWhiteSpace(agent.Model) is { } padded)
        {
            yield return Problem.Create(DiagnosticKind.ModelPaddedWithWhiteSpace, modelArgument, agent.Name, agent.Model, padded, FileNameRules.Trimmed(agent.Model));
        }

        // Loading checks the agent's name as it checks its role (links are looked up under both): a class named Con or Aux
        // with a Role of its own compiled, and its system failed to load.
        if (FileNameRules.WhyNotAFileName(agent.Name) is { } nameNotAFileName)
        {
            yield return Problem.Create(DiagnosticKind.AgentNameNotAFileName, Site.Declaration(owner), agent.Name, nameNotAFileName);
        }

        // Without a Role of its own the role is the name, reported above: not again as a Role = "Con" the user never wrote.
        if (agent.Role != agent.Name && FileNameRules.WhyNotAFileName(agent.Role) is { } notAFileName)
        {
            yield return Problem.Create(DiagnosticKind.RoleNotAFileName, Site.Named(owner, agent.AttributeIndex, "Role"), agent.Name, agent.Role, notAFileName);
        }

        if (agent.DeclaredHiddenSize < 0)
        {
            // Named with its agent: reported at a system's typeof(...) for an agent of a referenced assembly, it must say whose.
            yield return Problem.Create(DiagnosticKind.NegativeHiddenSize, hiddenSizeArgument, $"HiddenSize of agent '{agent.Name}'", agent.DeclaredHiddenSize);
        }

        var config = agent.Config;
        switch (config.Status)
        {
            case ConfigJsonStatus.Invalid:
                yield return Problem.Create(DiagnosticKind.ConfigInvalid, modelArgument, agent.Name, config.Path, config.Error ?? "");
                break;
            case ConfigJsonStatus.Valid when agent.DeclaredHiddenSize > 0 && agent.DeclaredHiddenSize != config.HiddenSize:
                yield return Problem.Create(DiagnosticKind.HiddenSizeMismatch, hiddenSizeArgument, agent.Name, agent.DeclaredHiddenSize, config.HiddenSize, config.Path);
                break;
            case ConfigJsonStatus.Valid when agent.DeclaredHiddenSize == 0:
                yield return Problem.Create(DiagnosticKind.HiddenSizeFromConfig, modelArgument, agent.Name, config.HiddenSize, config.Path);
                break;
            case ConfigJsonStatus.NotFound when agent.DeclaredHiddenSize == 0 && !string.IsNullOrWhiteSpace(agent.Model):
                yield return Problem.Create(DiagnosticKind.HiddenSizeUnknown, modelArgument, agent.Name, agent.Model);
                break;
        }

        var latentSteps = Site.Named(owner, agent.AttributeIndex, "LatentSteps");
        if (agent.LatentSteps < 1)
        {
            yield return Problem.Create(DiagnosticKind.LatentStepsTooSmall, latentSteps, agent.Name, agent.LatentSteps);
        }
        else if (agent.LatentSteps > Limits.MaxLatentSteps)
        {
            yield return Problem.Create(DiagnosticKind.LatentStepsTooLarge, latentSteps, agent.Name, agent.LatentSteps, Limits.MaxLatentSteps);
        }

        var uses = new HashSet<PromptUseKind>();
        foreach (var prompt in agent.Prompts)
        {
            if (!System.Enum.IsDefined(typeof(PromptUseKind), prompt.Use))
            {
                yield return Problem.Create(DiagnosticKind.UnknownPromptUse, Site.Named(owner, prompt.AttributeIndex, "When"), agent.Name, "(PromptUse)" + ((int)prompt.Use).ToString(System.Globalization.CultureInfo.InvariantCulture));
                continue;
            }

            if (!uses.Add(prompt.Use))
            {
                yield return Problem.Create(DiagnosticKind.DuplicatePromptUse, Site.Named(owner, prompt.AttributeIndex, "When"), agent.Name, "PromptUse." + prompt.Use);
            }

            foreach (var placeholder in prompt.Template.UnknownPlaceholders.Distinct())
            {
                yield return Problem.Create(DiagnosticKind.UnknownPlaceholder, Site.Argument(owner, prompt.AttributeIndex, 0), placeholder, agent.Name);
            }

            foreach (var placeholder in prompt.Template.DoubleBracedPlaceholders.Distinct())
            {
                yield return Problem.Create(DiagnosticKind.DoubleBracedPlaceholder, Site.Argument(owner, prompt.AttributeIndex, 0), placeholder, agent.Name, placeholder.Substring(1, placeholder.Length - 2));
            }

            if (!prompt.Template.HasQuestion)
            {
                yield return Problem.Create(DiagnosticKind.NoQuestionSlot, Site.Argument(owner, prompt.AttributeIndex, 0), agent.Name, "PromptUse." + prompt.Use);
            }
        }
    }
}

/// <summary>The <c>partial</c> rule, shared by agents and systems.</summary>
internal static class PartialRules
{
    /// <summary>
    /// A type the generator extends must be <c>partial</c>, and so must every type it is nested in.
    /// Types from referenced assemblies are not extended, so not checked.
    /// </summary>
    /// <param name="type">The agent or system type.</param>
    /// <param name="what">"an agent" or "a system", for the message.</param>
    public static IEnumerable<Problem> Check(TypeRef type, string what)
    {
        if (!type.IsInSource)
        {
            yield break;
        }

        if (!type.IsPartial)
        {
            yield return Problem.Create(DiagnosticKind.NotPartial, Site.Declaration(type.FullName), type.Name, what);
        }

        for (var depth = 0; depth < type.ContainingTypes.Count; depth++)
        {
            var containing = type.ContainingTypes[depth];
            if (!containing.IsPartial)
            {
                var role = $"the type containing {what.Substring(what.IndexOf(' ') + 1)} '{type.Name}'";
                yield return Problem.Create(DiagnosticKind.NotPartial, Site.Containing(type.FullName, depth), containing.Name, role);
            }
        }
    }
}
