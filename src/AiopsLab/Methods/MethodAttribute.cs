namespace AiopsLab.Methods;

/// <summary>
/// Registers a method under the name used on the command line and in experiment specs. Put it on a class that implements
/// <see cref="IRootCauseLocalizer"/>, <see cref="IMetricReducer"/> or <see cref="IAnomalyDetector"/> and has a public
/// constructor taking either nothing or one options object (a class or record with settable properties and defaults).
/// The catalog finds it by reflection; the CLI, the runner and the conformance suite then use it with no further wiring.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class MethodAttribute(string name) : Attribute
{
    /// <summary>Lower-case name, e.g. <c>baro</c>, <c>pc-pagerank</c>.</summary>
    public string Name { get; } = name;

    /// <summary>One line on what it does.</summary>
    public string Summary { get; init; } = "";

    /// <summary>The paper, e.g. "Pham et al., BARO, FSE 2024".</summary>
    public string Citation { get; init; } = "";

    /// <summary>A reference baseline (such as <c>random</c>) that is not expected to find root causes.</summary>
    public bool IsBaseline { get; init; }
}

/// <summary>What a registered method does.</summary>
public enum MethodKind { Localizer, Reducer, Detector }
