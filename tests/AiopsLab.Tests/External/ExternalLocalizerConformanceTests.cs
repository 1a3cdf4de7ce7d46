using AiopsLab.External;
using AiopsLab.Methods;
using AiopsLab.Tests.Conformance;
using Xunit;

namespace AiopsLab.Tests.External;

/// <summary>
/// The localizer conformance battery (<see cref="LocalizerConformanceTests"/>) run on the external example methods
/// (clients/python/examples) through real python3 workers. They are built from their manifests here rather than
/// registered in the process-wide catalog, which other tests enumerate.
/// </summary>
public sealed class ExternalLocalizerConformanceTests : LocalizerConformanceTests, IDisposable
{
    private readonly List<ExternalLocalizer> _created = [];

    public static new TheoryData<string> Localizers() => new() { "py-nsigma", "py-baro" };

    protected override IRootCauseLocalizer Create(string spec)
    {
        var stage = MethodSpec.Parse(spec).Stages.Single();
        var l = new ExternalLocalizer(Py.Example(stage.Name), stage.Parameters);
        lock (_created) _created.Add(l);
        return l;
    }

    protected override bool IsBaseline(string spec) => false;

    public void Dispose()
    {
        foreach (var l in _created) l.Dispose();
    }

    [PythonTheory, MemberData(nameof(Localizers))] public override void Same_input_gives_the_same_output(string spec) => base.Same_input_gives_the_same_output(spec);
    [PythonTheory, MemberData(nameof(Localizers))] public override void Input_is_not_mutated(string spec) => base.Input_is_not_mutated(spec);
    [PythonTheory, MemberData(nameof(Localizers))] public override void Missing_values_give_a_defined_result_or_a_clear_error(string spec) => base.Missing_values_give_a_defined_result_or_a_clear_error(spec);
    [PythonTheory, MemberData(nameof(Localizers))] public override void Constant_series_give_a_defined_result_or_a_clear_error(string spec) => base.Constant_series_give_a_defined_result_or_a_clear_error(spec);
    [PythonTheory, MemberData(nameof(Localizers))] public override void Too_short_series_give_a_defined_result_or_a_clear_error(string spec) => base.Too_short_series_give_a_defined_result_or_a_clear_error(spec);
    [PythonTheory, MemberData(nameof(Localizers))] public override void A_cancelled_token_is_respected(string spec) => base.A_cancelled_token_is_respected(spec);
    [PythonTheory, MemberData(nameof(Localizers))] public override void Finds_the_root_cause_of_easy_synthetic_faults(string spec) => base.Finds_the_root_cause_of_easy_synthetic_faults(spec);
}
