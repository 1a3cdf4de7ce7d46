using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Xunit;
using Xunit.Abstractions;

namespace AiopsLab.Tests.Architecture;

/// <summary>
/// The folders of <c>src/AiopsLab</c> are layers and references go one way, downwards (README, "Layout"). This test reads
/// the compiled assembly's metadata — every signature (fields, methods, properties, locals, generic arguments, base types,
/// interfaces, attributes) and every token in every method body — so it sees what the code really uses, not its
/// <c>using</c> lines. A type may use types of its own folder and of lower layers only.
/// </summary>
public sealed class LayeringTests(ITestOutputHelper output)
{
    /// <summary>Bottom first. Keep in step with the README's layout section (a test below checks that too).</summary>
    public static readonly string[] Layers =
    [
        "Numerics", "Data", "Telemetry", "Methods", "Preparation", "Detection", "Causal", "Rca", "Reduction", "Labelling", "External", "Catalog",
        "Datasets", "Evaluation", "Experiments", "Reporting",
    ];

    [Fact]
    public void No_type_references_a_type_of_a_later_layer()
    {
        var edges = FolderEdges(typeof(AiopsLab.Data.MetricFrame).Assembly.Location);
        var unknown = edges.Keys.Select(e => e.From).Concat(edges.Keys.Select(e => e.To)).Distinct()
            .Where(f => Array.IndexOf(Layers, f) < 0).ToArray();
        Assert.True(unknown.Length == 0, "folders missing from the layer list: " + string.Join(", ", unknown));

        var upward = edges.Where(e => Array.IndexOf(Layers, e.Key.To) > Array.IndexOf(Layers, e.Key.From))
            .OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal)
            .Select(e => $"{e.Key.From} -> {e.Key.To}: {string.Join(", ", e.Value.Order(StringComparer.Ordinal).Take(6))}")
            .ToArray();
        foreach (var line in upward) output.WriteLine(line);
        Assert.True(upward.Length == 0, "upward references:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void The_scan_sees_references_made_only_inside_method_bodies_and_generic_arguments()
    {
        // An independent check of the scanner on this test assembly: Probe uses Probed only inside a method body, inside a
        // generic argument of a local. Were either missed, the layering test above could pass while the code is wrong.
        var edges = TypeEdges(typeof(LayeringTests).Assembly.Location);
        Assert.Contains((typeof(Probe).FullName!, typeof(Probed).FullName!), edges);
        Assert.Contains((typeof(Probe).FullName!, typeof(ProbedGeneric).FullName!), edges);
        Assert.DoesNotContain((typeof(Probed).FullName!, typeof(Probe).FullName!), edges);
    }

    [Fact]
    public void The_readme_draws_the_same_layer_order()
    {
        var readme = File.ReadAllText(Path.Combine(Infrastructure.TestData.RepoRoot, "README.md"));
        var present = Layers.Where(l => Directory.Exists(Path.Combine(Infrastructure.TestData.RepoRoot, "src", "AiopsLab", l))).ToArray();
        var positions = present.Select(l => readme.IndexOf("`" + l + "/`", StringComparison.Ordinal)).ToArray();
        for (int i = 0; i < present.Length; i++)
            Assert.True(positions[i] >= 0, $"README's layout section does not name `{present[i]}/`");
        for (int i = 1; i < present.Length; i++)
            Assert.True(positions[i] > positions[i - 1], $"README lists `{present[i]}/` before `{present[i - 1]}/`; the layer order is {string.Join(" < ", present)}");
    }

    private static Dictionary<(string From, string To), HashSet<string>> FolderEdges(string path)
    {
        var result = new Dictionary<(string, string), HashSet<string>>();
        foreach (var (from, to) in TypeEdges(path))
        {
            var f = Folder(from);
            var t = Folder(to);
            if (f is null || t is null || f == t) continue;
            if (!result.TryGetValue((f, t), out var set)) result[(f, t)] = set = [];
            set.Add($"{Short(from)}→{Short(to)}");
        }
        return result;
    }

    private static string Short(string full) => full[(full.LastIndexOf('.') + 1)..];

    private static string? Folder(string fullName)
    {
        const string root = "AiopsLab.";
        if (!fullName.StartsWith(root, StringComparison.Ordinal)) return null;
        var rest = fullName[root.Length..];
        int dot = rest.IndexOf('.');
        return dot < 0 ? null : rest[..dot];
    }

    /// <summary>(using type, used type) over the type definitions of one assembly; nested types count as their outermost type.</summary>
    internal static HashSet<(string, string)> TypeEdges(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var provider = new Collector(md);
        var edges = new HashSet<(string, string)>();

        foreach (var th in md.TypeDefinitions)
        {
            var from = provider.NameOf(th);
            var uses = new HashSet<TypeDefinitionHandle>();
            void Add(IEnumerable<TypeDefinitionHandle> hs) { foreach (var h in hs) uses.Add(h); }
            var td = md.GetTypeDefinition(th);
            var ctx = new GenericContext();
            if (!td.BaseType.IsNil) Add(provider.FromEntity(td.BaseType));
            foreach (var ih in td.GetInterfaceImplementations()) Add(provider.FromEntity(md.GetInterfaceImplementation(ih).Interface));
            foreach (var gp in td.GetGenericParameters())
                foreach (var c in md.GetGenericParameter(gp).GetConstraints()) Add(provider.FromEntity(md.GetGenericParameterConstraint(c).Type));
            Add(Attributes(md, provider, td.GetCustomAttributes()));
            foreach (var fh in td.GetFields())
            {
                var f = md.GetFieldDefinition(fh);
                Add(f.DecodeSignature(provider, ctx));
                Add(Attributes(md, provider, f.GetCustomAttributes()));
            }
            foreach (var ph in td.GetProperties())
            {
                var p = md.GetPropertyDefinition(ph);
                var sig = p.DecodeSignature(provider, ctx);
                Add(sig.ReturnType); foreach (var x in sig.ParameterTypes) Add(x);
                Add(Attributes(md, provider, p.GetCustomAttributes()));
            }
            foreach (var mh in td.GetMethods())
            {
                var m = md.GetMethodDefinition(mh);
                var sig = m.DecodeSignature(provider, ctx);
                Add(sig.ReturnType); foreach (var x in sig.ParameterTypes) Add(x);
                Add(Attributes(md, provider, m.GetCustomAttributes()));
                foreach (var ph in m.GetParameters()) Add(Attributes(md, provider, md.GetParameter(ph).GetCustomAttributes()));
                if (m.RelativeVirtualAddress == 0) continue;
                var body = pe.GetMethodBody(m.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil)
                    foreach (var local in md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, ctx)) Add(local);
                Add(BodyTokens(md, provider, body.GetILReader()));
            }
            foreach (var to in uses) edges.Add((from, provider.NameOf(to)));
        }
        return edges;
    }

    private static IEnumerable<TypeDefinitionHandle> Attributes(MetadataReader md, Collector p, CustomAttributeHandleCollection attrs)
    {
        foreach (var ah in attrs)
        {
            var a = md.GetCustomAttribute(ah);
            foreach (var h in p.FromEntity(a.Constructor)) yield return h;
        }
    }

    private static IEnumerable<TypeDefinitionHandle> BodyTokens(MetadataReader md, Collector p, BlobReader il)
    {
        var found = new List<TypeDefinitionHandle>();
        while (il.RemainingBytes > 0)
        {
            ILOpCode op = il.ReadByte() is var b && b == 0xFE ? (ILOpCode)(0xFE00 | il.ReadByte()) : (ILOpCode)b;
            switch (OperandSize(op))
            {
                case -1: // switch
                    int n = il.ReadInt32();
                    il.Offset += 4 * n;
                    break;
                case -4: // metadata token
                    int token = il.ReadInt32();
                    if ((token >> 24) == 0x70) break; // user string
                    found.AddRange(p.FromEntity(MetadataTokens.EntityHandle(token)));
                    break;
                default:
                    il.Offset += OperandSize(op);
                    break;
            }
        }
        return found;
    }

    /// <summary>Bytes of an opcode's operand; -4 for a metadata token, -1 for the switch table.</summary>
    private static int OperandSize(ILOpCode op) => op switch
    {
        ILOpCode.Switch => -1,
        ILOpCode.Ldstr or ILOpCode.Ldtoken or ILOpCode.Call or ILOpCode.Callvirt or ILOpCode.Newobj or ILOpCode.Ldfld or ILOpCode.Ldflda
            or ILOpCode.Stfld or ILOpCode.Ldsfld or ILOpCode.Ldsflda or ILOpCode.Stsfld or ILOpCode.Box or ILOpCode.Unbox or ILOpCode.Unbox_any
            or ILOpCode.Castclass or ILOpCode.Isinst or ILOpCode.Newarr or ILOpCode.Ldelema or ILOpCode.Ldelem or ILOpCode.Stelem
            or ILOpCode.Ldobj or ILOpCode.Stobj or ILOpCode.Cpobj or ILOpCode.Initobj or ILOpCode.Sizeof or ILOpCode.Mkrefany
            or ILOpCode.Refanyval or ILOpCode.Constrained or ILOpCode.Ldftn or ILOpCode.Ldvirtftn or ILOpCode.Jmp or ILOpCode.Calli => -4,
        ILOpCode.Ldc_i8 or ILOpCode.Ldc_r8 => 8,
        ILOpCode.Ldc_i4 or ILOpCode.Ldc_r4 or ILOpCode.Br or ILOpCode.Brfalse or ILOpCode.Brtrue or ILOpCode.Beq or ILOpCode.Bge
            or ILOpCode.Bgt or ILOpCode.Ble or ILOpCode.Blt or ILOpCode.Bne_un or ILOpCode.Bge_un or ILOpCode.Bgt_un or ILOpCode.Ble_un
            or ILOpCode.Blt_un or ILOpCode.Leave => 4,
        ILOpCode.Ldarg or ILOpCode.Ldarga or ILOpCode.Starg or ILOpCode.Ldloc or ILOpCode.Ldloca or ILOpCode.Stloc => 2,
        ILOpCode.Ldarg_s or ILOpCode.Ldarga_s or ILOpCode.Starg_s or ILOpCode.Ldloc_s or ILOpCode.Ldloca_s or ILOpCode.Stloc_s
            or ILOpCode.Ldc_i4_s or ILOpCode.Br_s or ILOpCode.Brfalse_s or ILOpCode.Brtrue_s or ILOpCode.Beq_s or ILOpCode.Bge_s
            or ILOpCode.Bgt_s or ILOpCode.Ble_s or ILOpCode.Blt_s or ILOpCode.Bne_un_s or ILOpCode.Bge_un_s or ILOpCode.Bgt_un_s
            or ILOpCode.Ble_un_s or ILOpCode.Blt_un_s or ILOpCode.Leave_s or ILOpCode.Unaligned => 1,
        _ => 0,
    };

    private readonly struct GenericContext;

    /// <summary>Decodes signatures into the set of this assembly's type definitions they mention.</summary>
    private sealed class Collector(MetadataReader md) : ISignatureTypeProvider<ImmutableArray<TypeDefinitionHandle>, GenericContext>
    {
        private static readonly ImmutableArray<TypeDefinitionHandle> None = [];

        public string NameOf(TypeDefinitionHandle h)
        {
            var td = md.GetTypeDefinition(h);
            while (td.IsNested) { h = td.GetDeclaringType(); td = md.GetTypeDefinition(h); }
            var ns = md.GetString(td.Namespace);
            return (ns.Length > 0 ? ns + "." : "") + md.GetString(td.Name);
        }

        public IEnumerable<TypeDefinitionHandle> FromEntity(EntityHandle h)
        {
            var ctx = new GenericContext();
            switch (h.Kind)
            {
                case HandleKind.TypeDefinition: return [(TypeDefinitionHandle)h];
                case HandleKind.TypeSpecification: return md.GetTypeSpecification((TypeSpecificationHandle)h).DecodeSignature(this, ctx);
                case HandleKind.MethodDefinition: return [md.GetMethodDefinition((MethodDefinitionHandle)h).GetDeclaringType()];
                case HandleKind.FieldDefinition: return [md.GetFieldDefinition((FieldDefinitionHandle)h).GetDeclaringType()];
                case HandleKind.MemberReference:
                {
                    var mr = md.GetMemberReference((MemberReferenceHandle)h);
                    var fromParent = mr.Parent.Kind is HandleKind.TypeDefinition or HandleKind.TypeSpecification or HandleKind.MethodDefinition
                        ? FromEntity(mr.Parent) : [];
                    IEnumerable<TypeDefinitionHandle> fromSig = mr.GetKind() == MemberReferenceKind.Method
                        ? SigTypes(mr.DecodeMethodSignature(this, ctx))
                        : mr.DecodeFieldSignature(this, ctx);
                    return fromParent.Concat(fromSig);
                }
                case HandleKind.MethodSpecification:
                {
                    var ms = md.GetMethodSpecification((MethodSpecificationHandle)h);
                    return FromEntity(ms.Method).Concat(ms.DecodeSignature(this, ctx).SelectMany(x => x));
                }
                case HandleKind.StandaloneSignature:
                {
                    var ss = md.GetStandaloneSignature((StandaloneSignatureHandle)h);
                    return ss.GetKind() == StandaloneSignatureKind.Method ? SigTypes(ss.DecodeMethodSignature(this, ctx)) : [];
                }
                default: return [];
            }
        }

        private static IEnumerable<TypeDefinitionHandle> SigTypes(MethodSignature<ImmutableArray<TypeDefinitionHandle>> s) =>
            s.ReturnType.Concat(s.ParameterTypes.SelectMany(x => x));

        public ImmutableArray<TypeDefinitionHandle> GetArrayType(ImmutableArray<TypeDefinitionHandle> e, ArrayShape shape) => e;
        public ImmutableArray<TypeDefinitionHandle> GetByReferenceType(ImmutableArray<TypeDefinitionHandle> e) => e;
        public ImmutableArray<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeDefinitionHandle>> s) => [.. SigTypes(s)];
        public ImmutableArray<TypeDefinitionHandle> GetGenericInstantiation(ImmutableArray<TypeDefinitionHandle> g, ImmutableArray<ImmutableArray<TypeDefinitionHandle>> args) =>
            [.. g, .. args.SelectMany(x => x)];
        public ImmutableArray<TypeDefinitionHandle> GetGenericMethodParameter(GenericContext c, int index) => None;
        public ImmutableArray<TypeDefinitionHandle> GetGenericTypeParameter(GenericContext c, int index) => None;
        public ImmutableArray<TypeDefinitionHandle> GetModifiedType(ImmutableArray<TypeDefinitionHandle> m, ImmutableArray<TypeDefinitionHandle> u, bool r) => [.. m, .. u];
        public ImmutableArray<TypeDefinitionHandle> GetPinnedType(ImmutableArray<TypeDefinitionHandle> e) => e;
        public ImmutableArray<TypeDefinitionHandle> GetPointerType(ImmutableArray<TypeDefinitionHandle> e) => e;
        public ImmutableArray<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;
        public ImmutableArray<TypeDefinitionHandle> GetSZArrayType(ImmutableArray<TypeDefinitionHandle> e) => e;
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle h, byte k) => [h];
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromReference(MetadataReader r, TypeReferenceHandle h, byte k) => None;
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader r, GenericContext c, TypeSpecificationHandle h, byte k) =>
            r.GetTypeSpecification(h).DecodeSignature(this, c);
    }
}

// Fixtures for the scanner's own test: Probe mentions Probed and ProbedGeneric only inside a method body.
internal sealed class Probed { public int X; }
internal sealed class ProbedGeneric;
internal static class Probe
{
    public static int Use()
    {
        var list = new List<ProbedGeneric>();
        return new Probed().X + list.Count;
    }
}
