using System.Reflection;
using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Methods;
using AiopsLab.Rca;
using AiopsLab.Reduction;
using Xunit;

namespace AiopsLab.Tests.Conformance;

/// <summary>
/// What registration itself promises, for every registered method of every kind: the instance's <c>Name</c> is the name
/// in its <see cref="MethodAttribute"/> (the name is typed twice, so this proves they agree), and its options survive
/// spec → options → spec unchanged, at the defaults and with every option moved off its default.
/// </summary>
public class RegistrationConformanceTests
{
    public static TheoryData<string, MethodKind> All()
    {
        var d = new TheoryData<string, MethodKind>();
        foreach (var m in MethodCatalog.All) d.Add(m.Name, m.Kind);
        return d;
    }

    public static TheoryData<string, MethodKind> WithOptions()
    {
        var d = new TheoryData<string, MethodKind>();
        foreach (var m in MethodCatalog.All.Where(m => m.OptionsType is not null)) d.Add(m.Name, m.Kind);
        return d;
    }

    [Fact]
    public void Every_method_kind_has_registered_methods()
    {
        foreach (var kind in Enum.GetValues<MethodKind>())
            Assert.NotEmpty(MethodCatalog.OfKind(kind));
    }

    [Theory, MemberData(nameof(All))]
    public void Name_is_the_attribute_name(string name, MethodKind kind)
    {
        var m = MethodCatalog.Find(name, kind);
        Assert.Equal(name, m.Type.GetCustomAttribute<MethodAttribute>()!.Name);
        object instance = MethodCatalog.Instantiate(m, new Dictionary<string, string>());
        string actual = instance switch
        {
            IRootCauseLocalizer l => l.Name,
            IMetricReducer r => r.Name,
            IAnomalyDetector a => a.Name,
            IAnomalyTimeSource s => s.Name,
            global::AiopsLab.Labelling.IFaultLabeller l => l.Name,
            _ => throw new InvalidOperationException($"{m.Type} implements no method interface."),
        };
        Assert.True(actual == name, $"{m.Type.Name} is registered as '{name}' but its Name is '{actual}'.");
    }

    [Theory, MemberData(nameof(WithOptions))]
    public void Options_round_trip_at_their_defaults(string name, MethodKind kind)
    {
        var m = MethodCatalog.Find(name, kind);
        var defaults = Activator.CreateInstance(m.OptionsType!)!;
        AssertRoundTrip(m, defaults);
        // Every option is listed (none is lost on the way to text) and an empty spec binds to the defaults.
        Assert.Equal(m.Options().Select(o => o.Name), OptionsBinder.Unbind(defaults).Keys);
        Assert.Empty(OptionsBinder.Unbind(OptionsBinder.Bind(m.OptionsType!, new Dictionary<string, string>(), name), changedOnly: true));
    }

    [Theory, MemberData(nameof(WithOptions))]
    public void Options_round_trip_with_every_option_changed(string name, MethodKind kind)
    {
        var m = MethodCatalog.Find(name, kind);
        var options = Activator.CreateInstance(m.OptionsType!)!;
        var changed = new List<string>();
        foreach (var p in OptionsBinder.Settable(m.OptionsType!))
        {
            var before = OptionsBinder.Unbind(options)[OptionsBinder.Kebab(p.Name)];
            p.SetValue(options, OtherValue(p.PropertyType, p.GetValue(options)));
            Assert.True(before != OptionsBinder.Unbind(options)[OptionsBinder.Kebab(p.Name)], $"{name}: could not move option {p.Name} off its default.");
            changed.Add(OptionsBinder.Kebab(p.Name));
        }
        AssertRoundTrip(m, options);
        Assert.Equal(changed.Order(StringComparer.Ordinal), OptionsBinder.Unbind(options, changedOnly: true).Keys);
    }

    /// <summary>options → spec text → parsed spec → bound options → spec text: the text and the bound values agree.</summary>
    private static void AssertRoundTrip(Catalog.MethodInfo m, object options)
    {
        var text = new MethodStage(m.Name, OptionsBinder.Unbind(options)).ToString();
        var stage = Assert.Single(MethodSpec.Parse(text).Stages);
        var bound = OptionsBinder.Bind(m.OptionsType!, stage.Parameters, m.Name);
        Assert.Equal(text, new MethodStage(m.Name, OptionsBinder.Unbind(bound)).ToString());
        foreach (var p in OptionsBinder.Settable(m.OptionsType!))
            AssertSameValue(p.GetValue(options), p.GetValue(bound), $"{m.Name}: option {p.Name} after {text}");
    }

    private static void AssertSameValue(object? expected, object? actual, string what)
    {
        switch (expected)
        {
            case double d: Assert.True(BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits((double)actual!), $"{what}: {d:R} became {actual}."); break;
            case System.Collections.IEnumerable e and not string:
                Assert.Equal(e.Cast<object>(), ((System.Collections.IEnumerable)actual!).Cast<object>()); break;
            default: Assert.True(Equals(expected, actual), $"{what}: {expected} became {actual}."); break;
        }
    }

    /// <summary>A value of <paramref name="type"/> different from <paramref name="current"/>, including awkward ones
    /// (a double that needs all 17 digits, a negative number, an enum's last member).</summary>
    private static object? OtherValue(Type type, object? current)
    {
        var u = Nullable.GetUnderlyingType(type);
        if (u is not null) return current is null ? OtherValue(u, Activator.CreateInstance(u)) : null;
        if (type == typeof(int)) return (int)current! == 7 ? 8 : 7;
        if (type == typeof(long)) return (long)current! == -7 ? -8L : -7L;
        if (type == typeof(double)) return (double)current! == 0.1 + 0.2 ? 1e-300 : 0.1 + 0.2;
        if (type == typeof(bool)) return !(bool)current!;
        if (type == typeof(string)) return current + "x";
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return Equals(values.GetValue(values.Length - 1), current) ? values.GetValue(0) : values.GetValue(values.Length - 1);
        }
        if (type == typeof(double[])) return new[] { 0.1 + 0.2, -2.5, 1e-300 };
        if (type == typeof(int[])) return new[] { 3, -1, 7 };
        if (type == typeof(string[])) return new[] { "a-b", "c_d" };
        throw new InvalidOperationException($"the conformance suite cannot vary an option of type {type}; extend OtherValue.");
    }
}

/// <summary>Anomaly-time sources, registered like every other method: each finds a planted shift and stays quiet on constant data.</summary>
public class AnomalyTimeSourceConformanceTests
{
    public static TheoryData<string> Sources()
    {
        var d = new TheoryData<string>();
        foreach (var m in MethodCatalog.OfKind(MethodKind.AnomalyTimeSource)) d.Add(m.Name);
        return d;
    }

    private static MetricFrame Frame(Func<int, int, double> value)
    {
        var time = Enumerable.Range(0, 400).Select(i => 1_000_000L + 10L * i).ToArray();
        string[] names = ["front_latency", "front_cpu", "db_mem"];
        var cols = names.Select((_, j) => Enumerable.Range(0, time.Length).Select(i => value(i, j)).ToArray()).ToArray();
        return new MetricFrame(time, names, cols);
    }

    private static readonly MetricNaming Naming = new DelimitedNaming("_");

    [Theory, MemberData(nameof(Sources))]
    public void A_planted_shift_is_found_no_later_than_five_rows_after_it(string name)
    {
        var rng = new Numerics.Rng(3);
        var f = Frame((i, _) => 10 + rng.NextNormal() + (i >= 250 ? 20 : 0));
        var t = AnomalyTimeSources.Create(name)!.Detect(f, Naming, ["front_latency"], CancellationToken.None);
        Assert.True(t is { } x && x <= f.Time[255], $"{name}: a +20σ shift at {f.Time[250]} was found at {t?.ToString() ?? "no time"}.");
    }

    [Theory, MemberData(nameof(Sources))]
    public void Constant_data_gives_no_anomaly_time(string name)
    {
        var f = Frame((_, j) => 3.0 + j);
        Assert.Null(AnomalyTimeSources.Create(name)!.Detect(f, Naming, ["front_latency"], CancellationToken.None));
    }
}
