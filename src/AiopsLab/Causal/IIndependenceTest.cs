namespace AiopsLab.Causal;

/// <summary>
/// A conditional-independence test over a fixed data set of <see cref="VariableCount"/> variables: the p-value of
/// H₀: Xᵢ ⊥ Xⱼ | X_S. Implementations are immutable after construction and safe to call from several threads at once,
/// so that PC can run the tests of one depth level in parallel.
/// </summary>
public interface IIndependenceTest
{
    /// <summary>Number of variables.</summary>
    int VariableCount { get; }

    /// <summary>Number of samples.</summary>
    int SampleCount { get; }

    /// <summary>p-value of Xᵢ ⊥ Xⱼ | X_S (large = no evidence of dependence). <paramref name="s"/> excludes i and j.</summary>
    double PValue(int i, int j, ReadOnlySpan<int> s);
}
