namespace AiopsLab.Methods;

/// <summary>
/// Registers a method under the name used on the command line and in experiment specs. Put it on a class that implements
/// <see cref="IRootCauseLocalizer"/>, <c>IMetricReducer</c>, <c>IAnomalyDetector</c>, <see cref="IAnomalyTimeSource"/> or <c>IFaultLabeller</c> and has a public
/// constructor taking either nothing or one options object (a class or record with settable properties and defaults).
/// The catalog finds it by reflection; the CLI, the runner and the conformance suite then use it with no further wiring.
/// The class's <c>Name</c> must return this name when built with default options (the conformance suite checks it).
/// A name is unique within its <see cref="MethodKind"/>: the place a spec is written (a localizer list, a detector spec,
/// a detection mode) says which kind is meant, so BARO's multivariate BOCPD and the univariate detector share <c>bocpd</c>.
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

    /// <summary>Telemetry the method cannot work without, comma-separated (<c>traces</c>, <c>logs</c>); empty for a method
    /// that reads metrics only. Such a method fails with a clear error on a case without it, and the conformance suite
    /// runs it on cases that have it.</summary>
    public string Needs { get; init; } = "";

    /// <summary>Telemetry the method also reads when a case has it, comma-separated (<c>metrics</c>, <c>logs</c>, <c>traces</c>),
    /// beyond <see cref="Needs"/>: Nezha needs traces and also reads metrics and logs. Reports list what a method read.</summary>
    public string Uses { get; init; } = "";

    /// <summary>A reference baseline (such as <c>random</c>) that is not expected to find root causes.</summary>
    public bool IsBaseline { get; init; }

    /// <summary>The name <paramref name="type"/> is registered under, so a method's <c>Name</c> need not spell it again.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="type"/> has no <see cref="MethodAttribute"/>.</exception>
    public static string NameOf(Type type) =>
        (GetCustomAttribute(type, typeof(MethodAttribute), inherit: false) as MethodAttribute)?.Name
        ?? throw new InvalidOperationException($"{type} has no [Method] attribute.");
}

/// <summary>What a registered method does.</summary>
public enum MethodKind
{
    /// <summary>Ranks metrics as root causes (<see cref="IRootCauseLocalizer"/>).</summary>
    Localizer,
    /// <summary>Removes metrics before a localizer (<c>reducer+localizer</c>).</summary>
    Reducer,
    /// <summary>Scores a series point by point.</summary>
    Detector,
    /// <summary>Finds a case's anomaly time for end-to-end mode (<see cref="IAnomalyTimeSource"/>, <c>--anomaly-time</c>).</summary>
    AnomalyTimeSource,
    /// <summary>Ranks fault types for a case at a service (<c>IFaultLabeller</c>, <c>aiopslab label</c>).</summary>
    Labeller,
}

/// <summary>Text forms of <see cref="MethodKind"/>.</summary>
public static class MethodKinds
{
    /// <summary>The kind as <c>aiopslab methods</c> and error messages write it: <c>localizer</c>, …, <c>anomaly-time</c>.</summary>
    public static string Text(this MethodKind kind) => kind == MethodKind.AnomalyTimeSource ? "anomaly-time" : kind.ToString().ToLowerInvariant();
}
