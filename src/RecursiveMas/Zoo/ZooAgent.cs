using RecursiveMas.Pretraining;

namespace RecursiveMas.Zoo;

/// <summary>One agent of the zoo: its role (agent name), model folder (relative to the zoo) and architecture.</summary>
public sealed record ZooAgent(string Name, string ModelFolder, TinyDecoderShape Shape);
