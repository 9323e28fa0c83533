using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using RecursiveMas.Cluster;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Cluster;

/// <summary>The cluster's pieces without processes: payloads through Orleans' serializer, the journal, routes, partial loads.</summary>
public sealed class ClusterPartsTests(TinySystems systems) : IClassFixture<TinySystems>
{
    static Serializer OrleansSerializer() =>
        new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(LatentPayload).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.Float64)]
    public void PayloadCrossesOrleansSerializerBitForBitAndCompactly(ScalarType dtype)
    {
        var serializer = OrleansSerializer();
        using var generator = new Generator(7);
        using var message = randn([1, 32, 96], generator: generator).to(dtype);
        var payload = LatentPayload.From(message);
        byte[] wire = serializer.SerializeToArray(payload);
        var back = serializer.Deserialize<LatentPayload>(wire)!;
        using var tensor = back.ToTensor(CPU);
        Assert.Equal(dtype, tensor.dtype);
        Assert.Equal(message.shape, tensor.shape);
        Assert.Equal(message.bytes.ToArray(), tensor.bytes.ToArray());
        long raw = message.numel() * message.element_size();
        Assert.InRange(wire.Length, raw, raw + 64);
    }

    [Fact]
    public void PayloadWhoseBytesDoNotFitItsShapeIsRefused()
    {
        var bad = new LatentPayload { DType = ScalarType.Float32, Shape = [1, 4, 8], Bytes = new byte[100] };
        var e = Assert.Throws<InvalidDataException>(() => bad.ToTensor(CPU));
        Assert.Contains("100 bytes", e.Message);
        Assert.Contains("128 expected", e.Message);
    }

    static JournalIdentity Identity(int rounds = 2) => new()
    {
        System = "S",
        SystemDigest = "d",
        Data = "/data.jsonl",
        DataDigest = "e",
        Questions = 4,
        Rounds = rounds,
        Seed = 1,
        Temperature = 0,
        MaxNewTokens = 8,
        Checker = "strict",
    };

    static JournalEntry Entry(int index) => new()
    {
        Index = index,
        Question = "q" + index,
        Text = "t" + index,
        Answer = null,
        Correct = index % 2 == 0,
        GeneratedTokens = index,
        Milliseconds = 1.5,
        Silos = ["a"],
        Attempts = 1,
    };

    [Fact]
    public void JournalResumesDropsALineCutShortAndRefusesAnotherEval()
    {
        string path = Path.Combine(systems.Root, "journal-" + Guid.NewGuid().ToString("N") + ".jsonl");
        using (var journal = ResultsJournal.Open(path, Identity()))
        {
            journal.Add(Entry(0));
            journal.Add(Entry(2));
            Assert.Throws<InvalidOperationException>(() => journal.Add(Entry(2)));
        }
        // A kill in the middle of writing the next line.
        File.AppendAllText(path, "{\"index\":3,\"quest");
        using (var journal = ResultsJournal.Open(path, Identity()))
        {
            Assert.Equal(2, journal.Resumed);
            Assert.Equal([0, 2], journal.Entries.Keys.Order());
            Assert.Equal("t2", journal.Entries[2].Text);
            journal.Add(Entry(3));
        }
        Assert.Equal(4, File.ReadAllLines(path).Length);
        using (var journal = ResultsJournal.Open(path, Identity()))
            Assert.Equal([0, 2, 3], journal.Entries.Keys.Order());
        var e = Assert.Throws<InvalidDataException>(() => ResultsJournal.Open(path, Identity(rounds: 3)));
        Assert.Contains("rounds: was 2, now 3", e.Message);
    }

    static SiloInfo Silo(string name, params string[] agents) => new() { Silo = name, System = "S", SystemDigest = "d", Agents = agents };

    [Fact]
    public void RoutesKeepReplicasWholeAndSpreadAPipeline()
    {
        var plan = SystemPlan.Build(systems.Describe("sequential", rounds: 2));
        var pipeline = ClusterRunner.PlanRoutes(plan, [Silo("a", "Planner"), Silo("b", "Critic", "Solver")]);
        var route = Assert.Single(pipeline);
        Assert.Equal(("a", "b", "b"), (route["Planner"], route["Critic"], route["Solver"]));

        var replicas = ClusterRunner.PlanRoutes(plan, [Silo("r2", "Planner", "Critic", "Solver"), Silo("r1", "Planner", "Critic", "Solver")]);
        Assert.Equal(2, replicas.Count);
        Assert.All(replicas[0].Values, s => Assert.Equal("r1", s));
        Assert.All(replicas[1].Values, s => Assert.Equal("r2", s));

        var e = Assert.Throws<ClusterException>(() => ClusterRunner.PlanRoutes(plan, [Silo("a", "Planner", "Critic")]));
        Assert.Contains("agent Solver", e.Message);
        Assert.Contains("a: Planner, Critic", e.Message);
    }

    [Fact]
    public void PartOfASystemLoadsOnlyItsAgentsAndTheirOutgoingLinks()
    {
        var description = systems.Describe("sequential", rounds: 2);
        using var part = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true, Agents = ["Critic"] });
        Assert.Equal(["Critic"], part.Agents.Select(a => a.Name));
        Assert.Equal([("Critic", "Solver")], part.OuterLinks.Keys);
        var e = Assert.Throws<KeyNotFoundException>(() => part.Agent("Planner"));
        Assert.Contains("not loaded here", e.Message);
        var unknown = Assert.Throws<ArgumentException>(() => RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true, Agents = ["Judge"] }));
        Assert.Contains("no agent Judge", unknown.Message);
    }

    [Fact]
    public async Task ASilosTurnsRunOneAtATimeInOrderAndStopWithIt()
    {
        string zoo = Path.Combine(RepositoryRoot.Path, "examples", "zoo", "sequential.SYSTEM.json");
        var description = SystemDescription.Load(zoo);
        var silo = SiloAgents.Load("parts", zoo, ["planner"]);
        var request = new TurnRequest
        {
            System = description.Name,
            Question = "Gus has 9 cards. Gus gives away 6. Then Gus gets 9 more. How many cards does Gus have now?",
            Round = 1,
            Settings = TurnSettings.Of(description, new RunOptions()),
            Messages = [],
        };
        // Queued together from many threads, run on the silo's one model thread: each gives the bits one alone gives.
        var alone = silo.Think("planner", request);
        var replies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => silo.ThinkAsync("planner", request)))).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.All(replies, r => Assert.Equal(alone.Sent.Single().Vectors.Bytes, r.Sent.Single().Vectors.Bytes));

        silo.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => silo.ThinkAsync("planner", request));
    }
}
