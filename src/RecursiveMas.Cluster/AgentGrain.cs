namespace RecursiveMas.Cluster;

/// <summary>An agent's grain: its turns run on the silo's <see cref="SiloAgents"/>, where <see cref="SiloPlacement"/> activated it.</summary>
[SiloPlacement]
internal sealed class AgentGrain(SiloAgents agents) : Grain, IAgentGrain
{
    string Agent
    {
        get
        {
            string key = this.GetPrimaryKeyString();
            if (AgentKey.SiloOf(key) != agents.SiloName)
                throw new InvalidOperationException($"grain {key} was activated on silo {agents.SiloName}");
            return AgentKey.AgentOf(key);
        }
    }

    public Task<ThinkReply> Think(TurnRequest request) => agents.ThinkAsync(Agent, request);

    public Task<DecodeReply> Decode(TurnRequest request) => agents.DecodeAsync(Agent, request);
}

/// <summary>A silo's description grain.</summary>
[SiloPlacement]
internal sealed class SiloInfoGrain(SiloAgents agents) : Grain, ISiloInfoGrain
{
    public Task<SiloInfo> Describe() => Task.FromResult(agents.Info);

    public Task<int> Receive(LatentPayload payload) => Task.FromResult(payload.Bytes.Length);
}
