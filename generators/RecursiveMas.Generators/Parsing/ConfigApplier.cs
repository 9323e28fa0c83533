using System;
using System.Linq;
using RecursiveMas.Dsl;
using RecursiveMas.Generators.Model;

namespace RecursiveMas.Generators.Parsing;

/// <summary>
/// Gives agent specs their <c>config.json</c>. Extraction runs without the project's additional files
/// (a syntax-provider transform cannot see them), so each agent's config is looked up afterwards from
/// the collected <see cref="ConfigFileText"/>s, exactly as the analyzers' <see cref="ConfigJsonIndex"/> does.
/// </summary>
internal static class ConfigApplier
{
    /// <summary>The index over the collected config files.</summary>
    public static ConfigJsonIndex Index(EquatableArray<ConfigFileText> configs) =>
        new(configs.Select(c => (c.Path, (Func<string?>)(() => c.Text))));

    /// <summary><paramref name="agent"/> with the config of its model folder (or <see cref="ConfigJsonFacts.NotFound"/>).</summary>
    public static AgentSpec Apply(AgentSpec agent, ConfigJsonIndex index) =>
        agent with { Config = string.IsNullOrWhiteSpace(agent.Model) ? ConfigJsonFacts.NotFound : index.Find(agent.Model) };

    /// <summary><paramref name="system"/> with every agent's config applied.</summary>
    public static SystemSpec Apply(SystemSpec system, ConfigJsonIndex index) =>
        system with { Agents = system.Agents.Select(a => Apply(a, index)).ToEquatableArray() };
}
