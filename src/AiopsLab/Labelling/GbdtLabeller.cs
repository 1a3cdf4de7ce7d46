using AiopsLab.Methods;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace AiopsLab.Labelling;

/// <summary>
/// Learned labeller: gradient-boosted decision trees (Ke et al., "LightGBM: A Highly Efficient Gradient Boosting
/// Decision Tree", NeurIPS 2017; multiclass softmax objective) trained with ML.NET's LightGBM trainer on
/// <see cref="ServiceFeatures"/> of the service and its neighbours. One thread and a fixed seed make training
/// deterministic; a type's score is its predicted class probability. With one type in the training set it answers
/// that type.
/// </summary>
[Method("gbdt", Summary = "LightGBM multiclass trees (ML.NET) on robust-score features of the service and its neighbours.", Citation = "Ke et al., LightGBM, NeurIPS 2017")]
public sealed class GbdtLabeller : IFaultLabeller
{
    /// <summary>Options of <see cref="GbdtLabeller"/>.</summary>
    public sealed record Options
    {
        /// <summary>Boosting rounds.</summary>
        public int Iterations { get; set; } = 60;
        /// <summary>Leaves per tree.</summary>
        public int Leaves { get; set; } = 8;
        /// <summary>Smallest number of training cases in a leaf.</summary>
        public int MinLeafCount { get; set; } = 3;
        /// <summary>Shrinkage.</summary>
        public double LearningRate { get; set; } = 0.1;
    }

    private sealed class Row
    {
        [VectorType] public float[] Features { get; set; } = [];
        public string Label { get; set; } = "";
    }

    private sealed class Output
    {
        public float[] Score { get; set; } = [];
    }

    private readonly Options _o;
    private readonly PredictionEngine<Row, Output>? _engine;
    private readonly string[] _classes = [];
    private readonly object _gate = new();

    public GbdtLabeller() : this(new Options()) { }

    public GbdtLabeller(Options options)
    {
        if (options.Iterations < 1) throw new ArgumentException("gbdt: iterations must be ≥ 1.");
        if (options.Leaves < 2) throw new ArgumentException("gbdt: leaves must be ≥ 2.");
        if (options.MinLeafCount < 1) throw new ArgumentException("gbdt: min-leaf-count must be ≥ 1.");
        if (!(options.LearningRate > 0)) throw new ArgumentException("gbdt: learning-rate must be > 0.");
        _o = options;
    }

    private GbdtLabeller(Options o, PredictionEngine<Row, Output>? engine, string[] classes) : this(o) { _engine = engine; _classes = classes; }

    public string Name => "gbdt";

    public bool Learns => true;

    public IFaultLabeller Train(IReadOnlyList<LabelExample> examples, ulong seed, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        if (examples.Count == 0) throw new ArgumentException("gbdt: no training examples.");
        var classes = examples.Select(e => e.Type).Distinct(StringComparer.Ordinal).OrderBy(FaultVocabulary.IndexOf).ThenBy(t => t, StringComparer.Ordinal).ToArray();
        if (classes.Length == 1) return new GbdtLabeller(_o, null, classes);
        int s = (int)(seed % int.MaxValue);
        var ml = new MLContext(seed: s);
        int p = examples[0].Input.Features.Vector.Length;
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, p);
        var data = ml.Data.LoadFromEnumerable(examples.Select(e => new Row { Features = e.Input.Features.Vector, Label = e.Type }), schema);
        var trainer = ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
        {
            NumberOfIterations = _o.Iterations, NumberOfLeaves = _o.Leaves, MinimumExampleCountPerLeaf = _o.MinLeafCount,
            LearningRate = _o.LearningRate, NumberOfThreads = 1, Seed = s, Silent = true, UseSoftmax = true,
        });
        var map = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
        var model = map.Append(trainer).Fit(data);
        // Score slots follow the label key order; read it from the model rather than assuming it.
        VBuffer<ReadOnlyMemory<char>> keys = default;
        model.GetOutputSchema(data.Schema)["Label"].GetKeyValues(ref keys);
        var keyed = keys.DenseValues().Select(k => k.ToString()).ToArray();
        var engine = ml.Model.CreatePredictionEngine<Row, Output>(model, inputSchemaDefinition: schema);
        return new GbdtLabeller(_o, engine, keyed);
    }

    public LabelResult Label(LabelInput input, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        if (_classes.Length == 0) throw new InvalidOperationException("gbdt: Label before Train.");
        var scores = FaultVocabulary.Types.ToDictionary(t => t, _ => 0.0, StringComparer.Ordinal);
        if (_engine is null) { scores[_classes[0]] = 1; return LabelResult.FromScores(scores); }
        float[] score;
        lock (_gate) score = _engine.Predict(new Row { Features = input.Features.Vector }).Score;
        for (int i = 0; i < _classes.Length && i < score.Length; i++) scores[_classes[i]] = score[i];
        return LabelResult.FromScores(scores);
    }
}
