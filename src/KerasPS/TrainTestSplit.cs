namespace KerasPS;

/// <summary>What Split-TrainTest returns: the parts as datasets, and the seed that reproduces them.</summary>
public sealed class TrainTestSplit
{
    internal TrainTestSplit(Dataset train, Dataset test, Dataset? validation, long? seed, bool stratified)
    {
        Train = train;
        Test = test;
        Validation = validation;
        Seed = seed;
        Stratified = stratified;
    }

    public Dataset Train { get; }
    public Dataset Test { get; }

    /// <summary>The validation part (-ValidationSize), or null.</summary>
    public Dataset? Validation { get; }

    /// <summary>The seed of the shuffle (given or drawn); null with -NoShuffle. Pass it as -Seed to get the same split again.</summary>
    public long? Seed { get; }

    public bool Stratified { get; }

    public override string ToString() =>
        $"Train {Train.Count}, Test {Test.Count}{(Validation is null ? "" : $", Validation {Validation.Count}")}"
            + $"{(Seed is null ? "" : $", seed {Seed}")}";
}
