namespace RecursiveMas.Cluster;

/// <summary>
/// An agent of a system, served by the silo that loaded it. The key is <c>SILO/AGENT</c>
/// (<see cref="AgentKey"/>): <see cref="SiloPlacement"/> activates the grain on the silo of that name, so a
/// turn always runs where the agent's model is. A turn takes the latent messages the agent reads and
/// returns the ones it sends (or, for the decoder's last turn, the answer).
/// </summary>
public interface IAgentGrain : IGrainWithStringKey
{
    /// <summary>A thinking turn: m latent steps over the round's prompt and messages, then R_out(E) along the turn's edges.</summary>
    Task<ThinkReply> Think(TurnRequest request);

    /// <summary>The decoder's final turn: the answer's text.</summary>
    Task<DecodeReply> Decode(TurnRequest request);
}

/// <summary>What a silo serves (<see cref="SiloInfo"/>); keyed by the silo's name and placed on it.</summary>
public interface ISiloInfoGrain : IGrainWithStringKey
{
    Task<SiloInfo> Describe();

    /// <summary>Takes a payload and returns its byte count: a hop's cost without the turn (<c>rmas bench --suite cluster</c>).</summary>
    Task<int> Receive(LatentPayload payload);
}

/// <summary>Grain keys: <c>SILO/AGENT</c> for agents, <c>SILO</c> for a silo's description.</summary>
public static class AgentKey
{
    public static string Of(string silo, string agent) => silo + "/" + agent;

    /// <summary>The silo part of a key (all of a silo key).</summary>
    public static string SiloOf(string key) => key.IndexOf('/', StringComparison.Ordinal) is int slash and >= 0 ? key[..slash] : key;

    /// <summary>The agent part of an agent key.</summary>
    public static string AgentOf(string key) => key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..];
}
