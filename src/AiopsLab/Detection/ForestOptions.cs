namespace AiopsLab.Detection;

/// <summary>
/// Options every tree-ensemble detector has (<see cref="IsolationForest"/>, <see cref="RandomCutForest"/>): the number of trees,
/// the points each tree is built on, and the seed of the forest's random choices (the same input and seed give the same scores).
/// </summary>
public abstract record ForestOptions
{
    /// <summary>Trees in the forest (Isolation Forest's paper and NAB/AWS's random cut forest: 100).</summary>
    public int Trees { get; set; } = 100;
    /// <summary>Points per tree: the sub-sample size ψ of Isolation Forest, the reservoir of a random cut tree (both 256).</summary>
    public int SampleSize { get; set; } = 256;
    /// <summary>Seed of the forest.</summary>
    public long Seed { get; set; }

    /// <summary>Throws, naming <paramref name="detector"/>, for no trees or a sample of fewer than two points.</summary>
    internal void Validate(string detector)
    {
        DetectorOptions.Require(Trees >= 1, detector, "trees", "must be ≥ 1");
        DetectorOptions.Require(SampleSize >= 2, detector, "sample-size", "must be ≥ 2");
    }
}
