using RecursiveMas.IO;
using RecursiveMas.Links;
using RecursiveMas.Models;
using RecursiveMas.Models.Lora;
using RecursiveMas.Tokenization;
using RecursiveMas.Tools;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Systems;

/// <summary>
/// A loaded recursive multi-agent system: the agents (frozen models, tokenizers, inner links and
/// prompts), an outer link per edge, the plan of rounds, and the tools of a Deliberation system.
/// Agents that name the same model folder share one loaded model (its weights are frozen).
/// Run it with <see cref="RecursiveRunner"/> or the baselines.
/// </summary>
public sealed class RecursiveSystem : IDisposable
{
    private readonly List<CausalLM> _models;
    private readonly Dictionary<string, FusedOuterLinks> _fused = [];

    private RecursiveSystem(SystemDescription description, SystemPlan plan, IReadOnlyList<SystemAgent> agents,
        IReadOnlyDictionary<(string From, string To), OuterLink> outerLinks, List<CausalLM> models, IReadOnlyList<ITool> tools, string linksDirectory,
        IReadOnlySet<string> importedLinkIds)
    {
        ImportedLinkIds = importedLinkIds;
        Description = description;
        Plan = plan;
        Agents = agents;
        OuterLinks = outerLinks;
        _models = models;
        Tools = tools;
        LinksDirectory = linksDirectory;
        Prompts = new SystemPrompts(description, plan, [.. agents.Select(a => a.Prompts)]);
    }

    public SystemDescription Description { get; }

    public SystemPlan Plan { get; }

    /// <summary>Agents in description order (only those loaded, with <see cref="SystemLoadOptions.Agents"/>).</summary>
    public IReadOnlyList<SystemAgent> Agents { get; }

    /// <summary>The outer link of every edge (of every edge leaving a loaded agent, with <see cref="SystemLoadOptions.Agents"/>).</summary>
    public IReadOnlyDictionary<(string From, string To), OuterLink> OuterLinks { get; }

    /// <summary>Tools of the decoder's final decode (Deliberation only).</summary>
    public IReadOnlyList<ITool> Tools { get; }

    /// <summary>The folder links were loaded from (and are saved to by default).</summary>
    public string LinksDirectory { get; }

    /// <summary>
    /// What the load did to the links folder, for the caller to tell its user: a replacement of the folder that a
    /// process was ended in (it was missing, its complete new links beside it) finished (<see cref="SwappedFolder.FinishInterrupted"/>); null when nothing.
    /// </summary>
    public string? LinksRecovery { get; private init; }

    /// <summary>
    /// What the load did to the agents' model folders and LoRA adapter folders, as <see cref="LinksRecovery"/> does for
    /// links: each replacement of such a folder that a process was ended in, finished (<see cref="ModelConfig.FolderRecovery"/>,
    /// <see cref="LoraAdapter.FolderRecovery"/>); empty when none.
    /// </summary>
    public IReadOnlyList<string> ModelRecoveries { get; private init; } = [];

    /// <summary>Ids of the links imported from the official release's files (<see cref="SystemDescription.ReleasedLinks"/>).</summary>
    public IReadOnlySet<string> ImportedLinkIds { get; }

    /// <summary>The loaded agents' prompts, tokenizers and context sizes: what requests are checked against (<see cref="RunAdmission"/>).</summary>
    public SystemPrompts Prompts { get; }

    /// <summary>The agent called <paramref name="name"/>.</summary>
    public SystemAgent Agent(string name) =>
        Agents.FirstOrDefault(a => a.Name == name) ?? throw SystemPrompts.MissingAgent(Description, name, Agents.Select(a => a.Name));

    /// <summary>The outer link of edge <paramref name="from"/> → <paramref name="to"/>.</summary>
    public OuterLink Link(string from, string to) =>
        OuterLinks.TryGetValue((from, to), out var link) ? link : throw new KeyNotFoundException($"system {Description.Name} has no edge {from} → {to}");

    /// <summary>Every trainable link: inner links first (description order), then outer links (edge order).</summary>
    public IEnumerable<RecursiveLink> AllLinks => Agents.Select(a => (RecursiveLink)a.InnerLink)
        .Concat(Plan.Edges.Where(e => OuterLinks.ContainsKey((e.From, e.To))).Select(e => (RecursiveLink)Link(e.From, e.To)));

    /// <summary>
    /// The outer links leaving <paramref name="agent"/> (in <see cref="SystemPlan.Edges"/> order, feedback
    /// edges only when <paramref name="includeFeedback"/>), fused into one matmul over their shared input E.
    /// </summary>
    public (IReadOnlyList<SystemEdge> Edges, FusedOuterLinks Links) Outgoing(string agent, bool includeFeedback)
    {
        var edges = Plan.OutOf(agent).Where(e => includeFeedback || !e.IsFeedback).ToList();
        string key = agent + (includeFeedback ? "+feedback" : "");
        if (!_fused.TryGetValue(key, out var fused))
        {
            fused = new FusedOuterLinks(edges.Select(e => Link(e.From, e.To)).ToList());
            _fused[key] = fused;
        }
        return (edges, fused);
    }

    /// <summary>
    /// Starts every link's output at the scale of the embeddings it feeds (<see cref="RecursiveLink.MatchOutputToEmbeddings"/>):
    /// each inner link at its own agent's, each outer link at its receiver's. For links about to be trained
    /// from their default initialization; returns how many links were changed.
    /// </summary>
    public int MatchLinkOutputsToEmbeddings()
    {
        int changed = Agents.Count(a => a.InnerLink.MatchOutputToEmbeddings(a.Model.EmbeddingMatrix));
        changed += OuterLinks.Count(l => l.Value.MatchOutputToEmbeddings(Agent(l.Key.To).Model.EmbeddingMatrix));
        return changed;
    }

    /// <summary>Reads a SYSTEM.json and loads the system.</summary>
    public static RecursiveSystem Load(string systemJsonPath, SystemLoadOptions? options = null) =>
        Load(SystemDescription.Load(systemJsonPath), options);

    /// <summary>Loads models, tokenizers and links of <paramref name="description"/>, validating as it goes.</summary>
    public static RecursiveSystem Load(SystemDescription description, SystemLoadOptions? options = null)
    {
        options ??= new SystemLoadOptions();
        var (modelRoot, modelDirs, configs, plan) = Resolve(description, options);
        // As modelRoot: a SYSTEM.json read from a file keeps its links under its own folder; a caller's --links points anywhere.
        string linksDirectory = options.LinksDirectory is { } chosenLinks ? Path.GetFullPath(chosenLinks)
            : description.SourcePath is { } systemFile ? ContainedPath.Resolve(description.BaseDirectory, description.LinksDirectory, systemFile, "linksDir")
            : Path.GetFullPath(Path.Combine(description.BaseDirectory, description.LinksDirectory));
        // A process ended between the two renames of ReplaceLinks leaves no links folder, its complete new links beside
        // it: finished here, or refused naming the folders, rather than loading untrained links or failing as if there
        // were none. Not where the files are not read: a load that ignores them has no reason to fail on them.
        string? linksRecovery = options.IgnoreLinkFiles ? null : SwappedFolder.FinishInterrupted(linksDirectory);
        var loaded = options.Agents is { } chosenAgents ? new HashSet<string>(chosenAgents, StringComparer.Ordinal) : null;
        if (loaded?.FirstOrDefault(a => !description.Agents.Any(x => x.Name == a)) is { } unknownAgent)
            throw new ArgumentException($"system {description.Name} has no agent {unknownAgent} (agents: {string.Join(", ", description.Agents.Select(a => a.Name))})");

        foreach (var named in (options.Adapters?.Keys ?? []).Where(n => description.Agents.All(a => a.Name != n)))
            throw new ArgumentException($"a LoRA adapter is given for {named}, which is not an agent of system {description.Name} (agents: {string.Join(", ", description.Agents.Select(a => a.Name))})");

        // Before any weights are read: a corpus that is missing or outside the system's folder fails the load at once.
        var tools = description.Pattern.Kind == CollaborationPattern.Deliberation ? ToolsOf(description) : [];

        // Keyed by folder and adapter: agents on the same folder share one model unless one of them is adapted.
        var models = new Dictionary<string, CausalLM>();
        var agents = new List<SystemAgent>();
        var outer = new Dictionary<(string, string), OuterLink>();
        var imported = new HashSet<string>(StringComparer.Ordinal);
        var adapterRecoveries = new List<string>();
        try
        {
            foreach (var a in description.Agents.Where(a => loaded?.Contains(a.Name) != false))
            {
                string dir = modelDirs[a.Name];
                string? adapterDir = options.Adapters?.TryGetValue(a.Name, out var adapterChosen) == true ? Path.GetFullPath(adapterChosen) : null;
                string modelKey = adapterDir is null ? dir : dir + "\u0000" + adapterDir;
                if (!models.TryGetValue(modelKey, out var model))
                {
                    models[modelKey] = model = CausalLM.FromPretrained(dir, options.Model);
                    if (adapterDir is not null)
                    {
                        using var adapter = LoraAdapter.Load(adapterDir, model);
                        adapter.Merge();
                        if (adapter.FolderRecovery is { } recovered)
                            adapterRecoveries.Add(recovered);
                    }
                }
                var tokenizer = ModelTokenizer.Load(dir);
                tokenizer.CheckFits(model.Config.VocabSize);
                var released = ReleasedInner(description, modelRoot, a.Name);
                var inner = LoadOrCreate($"inner.{a.Name}", a.Role is { } role && role != a.Name ? $"inner.{role}" : null, linksDirectory, options, imported,
                    path => InnerLink.Load(path, a.Name, model.HiddenSize, model.Device),
                    released is { } file ? () => OnDevice(PyTorchLinkImport.ImportInner(file.Path, a.Name, file.Type, model.HiddenSize), model.Device) : null,
                    generator => new InnerLink(a.Name, model.HiddenSize, description.InnerLink, model.Device, generator), model.Device);
                agents.Add(new SystemAgent(a, model, tokenizer, (InnerLink)inner, options.PrefixCacheBytes));
            }
            foreach (var e in plan.Edges.Where(e => loaded?.Contains(e.From) != false))
            {
                int inDim = configs[e.From].HiddenSize, outDim = configs[e.To].HiddenSize;
                string fromRole = description.Agent(e.From).Role ?? e.From, toRole = description.Agent(e.To).Role ?? e.To;
                string? byRole = (fromRole, toRole) != (e.From, e.To) ? OuterLink.IdOf(fromRole, toRole) : null;
                // On the sender's device: it reads the sender's E (every agent's model sits on options.Model's device).
                var device = agents.First(x => x.Name == e.From).Model.Device;
                var released = ReleasedOuter(description, modelRoot, e.From, e.To);
                outer[(e.From, e.To)] = (OuterLink)LoadOrCreate(OuterLink.IdOf(e.From, e.To), byRole, linksDirectory, options, imported,
                    path => OuterLink.Load(path, e.From, e.To, inDim, outDim, device),
                    released is { } file ? () => OnDevice(PyTorchLinkImport.ImportOuter(file.Path, e.From, e.To, file.Type, inDim, outDim), device) : null,
                    generator => new OuterLink(e.From, e.To, inDim, outDim, description.OuterLink, device, generator), device);
            }
            return new RecursiveSystem(description, plan, agents, outer, [.. models.Values], tools, linksDirectory, imported)
            {
                LinksRecovery = linksRecovery,
                ModelRecoveries = [.. configs.Values.Select(c => c.FolderRecovery).OfType<string>(), .. adapterRecoveries],
            };
        }
        catch
        {
            foreach (var a in agents)
                a.InnerLink.Dispose();
            foreach (var l in outer.Values)
                l.Dispose();
            foreach (var m in models.Values)
                m.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The model root, each agent's model folder and config.json, and the plan they check: what a load reads
    /// before any weights (<see cref="SystemPrompts.Load"/> stops there).
    /// </summary>
    internal static (string ModelRoot, Dictionary<string, string> ModelDirectories, Dictionary<string, ModelConfig> Configs, SystemPlan Plan) Resolve(
        SystemDescription description, SystemLoadOptions options)
    {
        // A SYSTEM.json read from a file keeps its models under its own folder (it may come from anyone);
        // a caller's ModelRoot (rmas --models) or a description built in code is trusted to point anywhere.
        string modelRoot = options.ModelRoot is { } chosen ? Path.GetFullPath(chosen)
            : description.SourcePath is { } systemFile ? ContainedPath.Resolve(description.BaseDirectory, description.ModelRoot, systemFile, "modelRoot")
            : Path.GetFullPath(Path.Combine(description.BaseDirectory, description.ModelRoot));

        // Every folder and file a description names stays inside its folder: agents' model folders inside
        // modelRoot, link files (named after agents and roles) inside the links folder.
        string source = description.SourcePath ?? modelRoot;
        var modelDirs = description.Agents.Select((a, i) =>
        {
            ContainedPath.FileName(a.Name, source, $"agents[{i}].name");
            if (a.Role is { } role)
                ContainedPath.FileName(role, source, $"agents[{i}].role");
            return (a.Name, Dir: options.ModelOverrides?.TryGetValue(a.Name, out var chosen) == true
                ? Path.GetFullPath(chosen)
                : ContainedPath.Resolve(modelRoot, a.Model, source, $"agents[{i}].model"));
        }).ToDictionary(p => p.Name, p => p.Dir);

        // Configs first: they are cheap, and the plan's dimension checks need them.
        var configs = description.Agents.ToDictionary(a => a.Name, a => ModelConfig.Load(modelDirs[a.Name]));
        var sizes = configs.ToDictionary(kv => kv.Key, kv => (kv.Value.HiddenSize, Path.Combine(modelDirs[kv.Key], "config.json")));
        return (modelRoot, modelDirs, configs, SystemPlan.Build(description, sizes));
    }

    /// <param name="roleId">
    /// The link's id under the agents' roles, when a role differs from its agent's name: links saved by a
    /// system that names its agents by role (a SYSTEM.json with "planner", …) serve a C# system whose
    /// classes carry those roles (<c>[Agent(..., Role = "planner")] class Planner</c>). The name wins
    /// when both files exist; links are always saved under names.
    /// </param>
    /// <param name="import">
    /// Imports the link from the official release's file (<see cref="SystemDescription.ReleasedLinks"/>), when the
    /// description maps one and it is there; tried after the links folder, so links trained or saved here win.
    /// </param>
    /// <param name="create">A new link drawing its weights from the given generator.</param>
    static RecursiveLink LoadOrCreate(string id, string? roleId, string directory, SystemLoadOptions options, ISet<string> imported, Func<string, RecursiveLink> load,
        Func<RecursiveLink>? import, Func<Generator, RecursiveLink> create, Device device)
    {
        string basePath = Path.Combine(directory, id);
        RecursiveLink link;
        if (!options.IgnoreLinkFiles && File.Exists(basePath + ".json"))
        {
            link = load(basePath);
        }
        else if (!options.IgnoreLinkFiles && roleId is not null && File.Exists(Path.Combine(directory, roleId) + ".json"))
        {
            link = load(Path.Combine(directory, roleId));
        }
        else if (!options.IgnoreLinkFiles && import is not null)
        {
            link = import();
            imported.Add(id);
        }
        else if (options.AllowUntrainedLinks || options.IgnoreLinkFiles)
        {
            // Seeded per link, on its own generator: the same seed gives the same link whatever else
            // draws random numbers in the process (parallel tests, other systems).
            using var generator = new Generator(unchecked((ulong)(options.UntrainedLinkSeed ^ StableHash(id))), device);
            link = create(generator);
        }
        else
        {
            throw new ModelFileException(basePath + ".json", id,
                "link not found: train the links first (rmas train), point to them (--links), or run untrained (--untrained)");
        }
        // Inference by default: links train only when a trainer asks for it.
        link.SetTrainable(false);
        return link;
    }

    /// <summary>An imported link (read on the CPU) moved to <paramref name="device"/>.</summary>
    static RecursiveLink OnDevice(RecursiveLink link, Device device)
    {
        link.to(device);
        return link;
    }

    /// <summary>The released inner-link file of <paramref name="agent"/>, when the description maps one and it is there.</summary>
    static (string Path, string Type)? ReleasedInner(SystemDescription description, string modelRoot, string agent)
    {
        if (description.ReleasedLinks is not { } released || released.Inner.FirstOrDefault(i => i.Agent == agent) is not { } entry)
            return null;
        int index = released.Inner.ToList().IndexOf(entry);
        string folder = ContainedPath.Resolve(modelRoot, entry.Folder, description.SourcePath ?? modelRoot, $"releasedLinks.inner[{index}].folder");
        return ReleasedLinkFiles.FindInner(folder, released.Task);
    }

    /// <summary>The released outer-link file of edge <paramref name="from"/> → <paramref name="to"/>, when the description maps one and it is there.</summary>
    static (string Path, string Type)? ReleasedOuter(SystemDescription description, string modelRoot, string from, string to)
    {
        if (description.ReleasedLinks is not { } released || released.Outer.FirstOrDefault(o => o.From == from && o.To == to) is not { } entry)
            return null;
        string folder = ContainedPath.Resolve(modelRoot, released.OuterFolder, description.SourcePath ?? modelRoot, "releasedLinks.outerFolder");
        return ReleasedLinkFiles.FindOuter(folder, entry.Key, released.Task);
    }

    static long StableHash(string text)
    {
        long hash = 1469598103934665603;
        foreach (char c in text)
            hash = (hash ^ c) * 1099511628211;
        return hash & 0x7FFFFFFF;
    }

    static IReadOnlyList<ITool> ToolsOf(SystemDescription description)
    {
        // The released Tool-Caller has Python and search; the calculator is kept for models trained on it.
        var tools = new List<ITool> { new CalculatorTool(), new PythonTool() };
        // As modelRoot and linksDir: a SYSTEM.json read from a file searches a corpus under its own folder only, or a
        // hostile one could have <search> quote any file the server can read (/etc/passwd) into a prompt and an answer;
        // a description built in code points anywhere.
        if (description.ToolCorpus is { } corpus)
            tools.Add(new CorpusSearchTool(description.SourcePath is { } systemFile
                ? ContainedPath.Resolve(description.BaseDirectory, corpus, systemFile, "toolCorpus")
                : Path.Combine(description.BaseDirectory, corpus)));
        return tools;
    }

    /// <summary>Writes every link as <c>ID.safetensors</c> + <c>ID.json</c> into <paramref name="directory"/> (default: <see cref="LinksDirectory"/>).</summary>
    public void SaveLinks(string? directory = null)
    {
        directory ??= LinksDirectory;
        Directory.CreateDirectory(directory);
        foreach (var link in AllLinks)
            link.Save(Path.Combine(directory, link.Id));
    }

    /// <summary>
    /// Makes <paramref name="directory"/> hold exactly this system's links, swapped in whole (<see cref="SwappedFolder.Replace"/>):
    /// the links are written to <c>NAME.partial-PID</c> first, then the old folder is moved aside into <c>NAME.old-PID</c>,
    /// the new one renamed into place and the old one deleted. A crash leaves the old links, or the complete new ones
    /// (with the old beside them) — never a folder of some new and some old links; a crash between the two renames
    /// leaves no folder, which the next load or replacement finishes (<see cref="SwappedFolder.FinishInterrupted"/>).
    /// What processes that are gone left beside the folder is removed first; a running process's is kept.
    /// </summary>
    /// <remarks>A folder that holds anything but link files (a subfolder, notes) is refused, not deleted (<see cref="ReplacedFolder"/>).</remarks>
    public void ReplaceLinks(string directory)
    {
        string full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        CheckLinksReplaceable(full);
        SwappedFolder.Replace(full, staging => SaveLinks(staging));
    }

    /// <summary>
    /// Throws an <see cref="IOException"/> when <see cref="ReplaceLinks"/> would refuse <paramref name="directory"/>: a
    /// trainer checks before it trains, so a wrong output folder costs nothing.
    /// </summary>
    public static void CheckLinksReplaceable(string directory) =>
        ReplacedFolder.CheckReplaceable(directory, name => name.EndsWith(".safetensors", StringComparison.Ordinal) || name.EndsWith(".json", StringComparison.Ordinal),
            "a folder of link files (ID.safetensors and ID.json)");

    public void Dispose()
    {
        foreach (var f in _fused.Values)
            f.Dispose();
        foreach (var a in Agents)
            a.InnerLink.Dispose();
        foreach (var a in Agents)
            a.Prefixes?.Dispose();
        foreach (var l in OuterLinks.Values)
            l.Dispose();
        foreach (var m in _models)
            m.Dispose();
    }
}
