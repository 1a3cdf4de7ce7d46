using AiopsLab.Data;

namespace AiopsLab.Labelling;

/// <summary>
/// The shared fault-type vocabulary every dataset's own label is mapped to, so that labellers can be trained on one
/// dataset and tested on another: resource faults (<c>cpu</c>, <c>memory</c>, <c>network-delay</c>, <c>network-loss</c>,
/// <c>disk</c>), code faults (<c>exception</c>, <c>wrong-return</c>) and load (<c>overload</c>). The dataset's original
/// label is always kept beside the shared one (<see cref="MappedLabel"/>).
/// </summary>
/// <remarks>
/// <para>The mapping, from each loader's fault-type strings:</para>
/// <list type="table">
/// <item><term>rcd-sockshop</term><description><c>cpu</c> → cpu, <c>mem</c> → memory (folder suffix <c>-cpu</c>/<c>-mem</c>).</description></item>
/// <item><term>nezha</term><description><c>cpu_contention</c>, <c>cpu_consumed</c> → cpu; <c>network_delay</c> → network-delay;
/// <c>exception</c> → exception; <c>return</c> → wrong-return (the fault list's <c>inject_type</c>).</description></item>
/// <item><term>petshop</term><description><c>delay</c> → network-delay (an injected sleep/latency), <c>error</c> → exception
/// (injected errors, the availability SLO), <c>overload</c> → overload (the DynamoDB request generator), from
/// <c>PetShop.FaultOf</c>; <c>other</c> is unmapped.</description></item>
/// <item><term>synthetic</term><description><c>cpu</c> → cpu, <c>mem</c> → memory, <c>delay</c> → network-delay, <c>error</c> → exception.</description></item>
/// </list>
/// <para>The original strings do not collide across datasets (PetShop's and the generator's <c>delay</c>/<c>error</c> mean
/// the same thing), so one table serves every dataset; an unknown string maps to null and the case is left out of
/// labelling with a note rather than guessed.</para>
/// </remarks>
public static class FaultVocabulary
{
    public const string Cpu = "cpu", Memory = "memory", NetworkDelay = "network-delay", NetworkLoss = "network-loss", Disk = "disk",
        Exception = "exception", WrongReturn = "wrong-return", Overload = "overload";

    /// <summary>Every shared type, in vocabulary order (resource, code, load).</summary>
    public static readonly IReadOnlyList<string> Types = [Cpu, Memory, NetworkDelay, NetworkLoss, Disk, Exception, WrongReturn, Overload];

    /// <summary>Position of <paramref name="type"/> in <see cref="Types"/>, or <see cref="int.MaxValue"/> when it is not a shared type.</summary>
    public static int IndexOf(string type)
    {
        for (int i = 0; i < Types.Count; i++) if (Types[i] == type) return i;
        return int.MaxValue;
    }

    private static readonly Dictionary<string, string> Map = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cpu"] = Cpu, ["mem"] = Memory, ["memory"] = Memory,
        ["cpu_contention"] = Cpu, ["cpu_consumed"] = Cpu, ["network_delay"] = NetworkDelay,
        ["exception"] = Exception, ["return"] = WrongReturn,
        ["delay"] = NetworkDelay, ["latency"] = NetworkDelay, ["error"] = Exception, ["overload"] = Overload,
        ["loss"] = NetworkLoss, ["network_loss"] = NetworkLoss, ["disk"] = Disk,
    };

    /// <summary>The shared type of a dataset's fault-type string, or null when it has none (e.g. PetShop's <c>other</c>).</summary>
    public static string? Shared(string original) => Map.TryGetValue(original, out var t) ? t : null;

    /// <summary>The shared type of <paramref name="original"/>.</summary>
    /// <exception cref="AiopsLabException">The string is not in the vocabulary table.</exception>
    public static string Require(string original) =>
        Shared(original) ?? throw new AiopsLabException($"fault type '{original}' has no shared type (known: {string.Join(", ", Map.Keys.Order(StringComparer.Ordinal))}).");

    /// <summary>The category of a shared type: <c>resource</c>, <c>code</c> or <c>load</c>.</summary>
    public static string Category(string type) => type switch
    {
        Cpu or Memory or NetworkDelay or NetworkLoss or Disk => "resource",
        Exception or WrongReturn => "code",
        Overload => "load",
        _ => throw new AiopsLabException($"'{type}' is not a shared fault type (known: {string.Join(", ", Types)})."),
    };
}

/// <summary>A case's fault type in the shared vocabulary with the dataset's own label kept beside it.</summary>
public sealed record MappedLabel(string Type, string Original);
