using System.Globalization;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.AttentionLayers;
using KerasPS.Engine.Models;
using PureHDF;
using PureHDF.VOL.Native;

namespace KerasPS.Engine.Checkpoints;

/// <summary>HDF5 through PureHDF, as both Keras formats use it: weights as datasets, string attributes, guarded reads.</summary>
internal static class KerasH5
{

    public static H5Dataset Dataset(Weight w)
    {
        var values = w.ToArray();
        var shape = w.Shape.Select(d => (ulong)d).ToArray();
        return shape.Length == 0 ? new H5Dataset(values[0]) : new H5Dataset(values, fileDims: shape);
    }

    public static string ReadStringAttribute(IH5Object o, string name)
    {
        var a = o.Attribute(name);
        if (a.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
            throw Checkpoint.Invalid($"attribute '{name}' is not a string.");
        if (a.Space.Rank == 0) return a.Read<string>();
        var v = a.Read<string[]>();
        return v.Length == 1 ? v[0] : throw Checkpoint.Invalid($"attribute '{name}' holds {v.Length} strings, not one.");
    }

    public static string[] ReadStringsAttribute(IH5Object o, string name)
    {
        var a = o.Attribute(name);
        if (a.Space.Dimensions.Aggregate(1UL, (x, y) => x * y) == 0) return Array.Empty<string>();
        if (a.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
            throw Checkpoint.Invalid($"attribute '{name}' is not a list of strings.");
        return a.Read<string[]>();
    }

    /// <summary>
    /// Opens an HDF5 file with PureHDF after <see cref="H5Guard"/> has walked its whole structure with bounds and loop
    /// checks: PureHDF trusts every address, link and size, so a damaged file could otherwise overflow the stack (a soft
    /// link to itself, a B-tree node that is its own child) or read zeros past the end without end.
    /// </summary>
    public static NativeFile Open(Stream stream, string path) => Guard(path, () =>
    {
        H5Guard.Check(stream, path);
        return H5File.Open(new EndCheckedStream(stream), leaveOpen: false);
    });

    /// <summary>
    /// A read-only view of a seekable stream whose reads throw past its end: PureHDF reads a <see cref="FileStream"/>
    /// past its end as zeros, which a damaged header can turn into an endless message loop.
    /// </summary>
    private sealed class EndCheckedStream(Stream inner) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.Length > 0 && inner.Position + buffer.Length > inner.Length)
                throw new EndOfStreamException($"A read of {buffer.Length} bytes at {inner.Position} runs past the end of the file.");
            inner.ReadExactly(buffer);
            return buffer.Length;
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Runs a PureHDF read, reporting anything it throws on a malformed file as <c>InvalidCheckpoint</c>.</summary>
    public static T Guard<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (KerasException) { throw; }
        catch (OutOfMemoryException e)
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData,
                $"'{path}' describes data too large for this machine's memory.", e) { Target = path };
        }
        catch (Exception e) when (e is not (OperationCanceledException or ThreadAbortException))
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData,
                $"'{path}' is not a readable Keras HDF5 file: {e.Message}", e) { Target = path };
        }
    }
}

/// <summary>Where a Keras file keeps its weights; reads them in the model's layer order after checking every shape.</summary>
internal abstract class KerasWeightSource : IDisposable
{
    /// <summary>
    /// The most weight values the file can hold: Keras writes them uncompressed, at least two bytes each (float16),
    /// so a config that describes more than half the weights file's bytes in values is refused before any layer
    /// allocates (a small file saying units = 200000000).
    /// </summary>
    public long MaxValues { get; init; }

    public abstract Dictionary<string, float[]> Read(KerasModel model, string path, string mismatchId, ErrorKind mismatchKind);
    public abstract void Dispose();
}

/// <summary>
/// The weights of a Keras file in HDF5: Keras 3's <c>layers/&lt;path&gt;/vars/&lt;i&gt;</c> (and <c>cell/vars</c> of a
/// recurrent layer), or Keras 2's groups named by layer with their <c>weight_names</c>.
/// </summary>
internal sealed class KerasH5Weights : KerasWeightSource
{
    private readonly NativeFile file;
    private readonly IH5Group root;
    private readonly string path;
    private readonly bool keras3;

    public KerasH5Weights(NativeFile file, IH5Group root, string path, bool keras3)
    {
        this.file = file;
        this.root = root;
        this.path = path;
        this.keras3 = keras3;
    }

    public override void Dispose() => file.Dispose();

    /// <summary>
    /// Set for a Keras 2 file saved with the Theano backend: Theano convolves where TensorFlow (and torch) correlate, so
    /// Keras 2's loader flipped the spatial axes of Conv1D/2D/3D and Conv2DTranspose kernels (<c>convert_kernel</c> in
    /// <c>preprocess_weights_for_loading</c>); KerasPS does the same.
    /// </summary>
    public bool FlipTheanoKernels { get; init; }

    /// <summary>Set for a Keras 1.x file: each layer's arrays are rearranged as Keras 2 loaded them
    /// (<see cref="Keras1Config.Weights"/>) before their shapes are checked.</summary>
    public bool Keras1 { get; init; }

    private static readonly HashSet<string> TheanoFlippedLayers = new(StringComparer.Ordinal)
    {
        "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose",
    };

    /// <summary>Keras 2's <c>convert_kernel</c>: every axis but the last two (input and output channels) reversed.</summary>
    internal static float[] FlipSpatialAxes(float[] v, IReadOnlyList<long> shape)
    {
        int spatial = shape.Count - 2;
        var result = new float[v.Length];
        long inner = shape[^1] * shape[^2];
        var index = new long[spatial];
        for (long block = 0; block < v.Length / inner; block++)
        {
            long rest = block, target = 0;
            for (int a = spatial - 1; a >= 0; a--) { index[a] = rest % shape[a]; rest /= shape[a]; }
            for (int a = 0; a < spatial; a++) target = target * shape[a] + (shape[a] - 1 - index[a]);
            Array.Copy(v, block * inner, result, target * inner, inner);
        }
        return result;
    }


    /// <summary>
    /// Per layer, the file's datasets in the order of <paramref name="weights"/>. Keras matches a layer's weights by
    /// position; a nested model's group in a Keras 2 file is matched by the weights' names inside it when they all match
    /// (a Keras 2 file lists them trainable first), else by position.
    /// </summary>
    private List<IH5Dataset> LayerDatasets(Layer layer, string location, IReadOnlyList<Weight> weights)
    {
        var list = new List<IH5Dataset>();
        if (keras3)
        {
            if (!root.LinkExists(location)) return list;
            var g = root.Group(location);
            var subs = layer is MultiHeadAttention attention
                ? attention.Keras3Groups.Where(x => x.Weights.Length > 0).Select(x => x.Group + "/vars").ToArray()
                : new[] { "vars", "cell/vars" };
            foreach (var sub in subs)
            {
                if (!g.LinkExists(sub)) continue;
                var vars = g.Group(sub);
                var children = vars.Children().OfType<IH5Dataset>().ToDictionary(d => d.Name, StringComparer.Ordinal);
                for (int i = 0; i < children.Count; i++)
                    list.Add(children.TryGetValue(i.ToString(CultureInfo.InvariantCulture), out var d) ? d
                        : throw Checkpoint.Invalid($"'{path}': {location}/{sub} holds {children.Count} variables but no '{i}'."));
            }
            return list;
        }
        if (!root.LinkExists(location)) return list;
        var group = root.Group(location);
        if (!group.AttributeExists("weight_names")) return list;
        var names = KerasH5.ReadStringsAttribute(group, "weight_names");
        foreach (var n in names)
        {
            if (n.Length == 0 || n.Contains("..", StringComparison.Ordinal) || n.StartsWith('/'))
                throw Checkpoint.Invalid($"'{path}': layer '{location}' names a weight '{n}' outside its group.");
            if (!group.LinkExists(n))
                throw Checkpoint.Invalid($"'{path}': layer '{location}' lists weight '{n}', which the file does not hold.");
            list.Add(group.Dataset(n));
        }
        if (layer is NestedModel && list.Count == weights.Count)
        {
            var byName = ByName(names, list, weights.Select(w => KerasLayout.Keras2NestedWeightName(layer, w)))
                ?? ByName(names, list, weights.Select(w => $"{w.Owner.Name}/{w.Name}"));
            if (byName is not null) return byName;
        }
        return list;
    }

    /// <summary>The datasets in the order of <paramref name="wanted"/> names (<c>:0</c> and any scope before them aside), or
    /// null when not every name is found exactly once.</summary>
    private static List<IH5Dataset>? ByName(string[] names, List<IH5Dataset> data, IEnumerable<string> wanted)
    {
        static string Key(string n) => n.EndsWith(":0", StringComparison.Ordinal) ? n[..^2] : n;
        var result = new List<IH5Dataset>();
        foreach (var w in wanted.Select(Key))
        {
            var hits = Enumerable.Range(0, names.Length)
                .Where(i => Key(names[i]) == w || Key(names[i]).EndsWith("/" + w, StringComparison.Ordinal)).ToList();
            if (hits.Count != 1) return null;
            result.Add(data[hits[0]]);
        }
        return result;
    }

    /// <summary>A float or integer dataset's values as float32, refused when it declares more values than the file can hold.</summary>
    private float[] ReadValues(IH5Dataset d)
    {
        var count = d.Space.Dimensions.Aggregate(1UL, (a, b) => a * b);
        if (MaxValues > 0 && count > (ulong)MaxValues)
            throw Checkpoint.Invalid($"'{path}': dataset '{d.Name}' declares {count} values, more than the file can hold.");
        var t = d.Type;
        if (!(t.Class == H5DataTypeClass.FloatingPoint && t.Size is 4 or 8) && !(t.Class == H5DataTypeClass.FixedPoint && t.Size is 4 or 8))
            throw Checkpoint.Invalid($"'{path}': dataset '{d.Name}' is stored as {t.Class} of {t.Size} bytes; "
                + "KerasPS reads float32, float64 and integer weights.");
        return t.Class == H5DataTypeClass.FloatingPoint
            ? (t.Size == 4 ? d.Read<float[]>() : d.Read<double[]>().Select(x => (float)x).ToArray())
            : (t.Size == 4 ? d.Read<int[]>().Select(x => (float)x).ToArray() : d.Read<long[]>().Select(x => (float)x).ToArray());
    }

    public override Dictionary<string, float[]> Read(KerasModel model, string p, string mismatchId, ErrorKind mismatchKind) =>
        KerasH5.Guard(path, () =>
        {
            var problems = new List<string>();
            var plan = new List<(Weight Weight, IH5Dataset Data)>();
            var converted = new Dictionary<string, float[]>(StringComparer.Ordinal);
            var targets = keras3
                ? KerasLayout.Keras3Locations(model).Select(t => (t.Layer, t.Location, t.Layer.Weights)).ToList()
                : model.Layers.Select(l => (Layer: l, Location: l.Name, Weights: KerasLayout.LegacyWeights(l))).ToList();
            if (!keras3)
            {
                var names = root.AttributeExists("layer_names") ? KerasH5.ReadStringsAttribute(root, "layer_names") : Array.Empty<string>();
                var withWeights = model.Layers.Where(l => l.Weights.Count > 0).Select(l => l.Name).ToList();
                var missing = withWeights.Where(n => !names.Contains(n, StringComparer.Ordinal)).ToList();
                if (missing.Count > 0)
                    problems.Add($"the file has no weights for layer(s) {string.Join(", ", missing)} "
                        + $"(it names {string.Join(", ", names)})");
            }
            foreach (var (layer, location, weights) in targets)
            {
                var data = LayerDatasets(layer, location, weights);
                if (Keras1 && data.Count > 0)
                {
                    var arrays = Keras1Config.Weights(layer, data.Select(d => (ReadValues(d), d.Space.Dimensions.Select(x => (long)x)
                        .ToArray())).ToList());
                    if (arrays.Count != weights.Count)
                    {
                        problems.Add($"layer '{layer.Name}' has {weights.Count} weights but the file holds {arrays.Count} at "
                            + $"'{location}' (as Keras 2 reads Keras 1's)");
                        continue;
                    }
                    for (int i = 0; i < arrays.Count; i++)
                    {
                        var w = weights[i];
                        if (arrays[i].Shape.SequenceEqual(w.Shape))
                            converted[w.Path] = FlipTheanoKernels && w.Name == "kernel" && w.Shape.Length >= 3
                                && TheanoFlippedLayers.Contains(w.Owner.ClassName)
                                    ? FlipSpatialAxes(arrays[i].Values, w.Shape)
                                    : arrays[i].Values;
                        else problems.Add($"'{w.Path}' is ({string.Join(", ", arrays[i].Shape)}) in the file "
                            + $"but {Shapes.FormatTensor(w.Shape)} in the model");
                    }
                    continue;
                }
                if (data.Count != weights.Count)
                {
                    problems.Add($"layer '{layer.Name}' has {weights.Count} weights but the file holds {data.Count} at "
                        + $"'{location}'");
                    continue;
                }
                for (int i = 0; i < data.Count; i++)
                {
                    var w = weights[i];
                    var dims = data[i].Space.Dimensions;
                    var type = data[i].Type;
                    if (!dims.Select(d => (long)d).SequenceEqual(w.Shape) && !(w.Shape.Length == 0 && dims.Length == 1 && dims[0] == 1))
                        problems.Add($"'{w.Path}' is ({string.Join(", ", dims)}) in the file "
                            + $"but {Shapes.FormatTensor(w.Shape)} in the model");
                    else if (!(type.Class == H5DataTypeClass.FloatingPoint && type.Size is 4 or 8)
                        && !(type.Class == H5DataTypeClass.FixedPoint && type.Size is 4 or 8))
                        problems.Add($"'{w.Path}' is stored as {type.Class} of {type.Size} bytes; "
                            + "KerasPS reads float32, float64 and integer weights");
                    else plan.Add((w, data[i]));
                }
            }
            if (problems.Count > 0)
            {
                var shown = string.Join("; ", problems.Take(12)) + (problems.Count > 12 ? $"; and {problems.Count - 12} more" : "");
                throw new KerasException(mismatchId, mismatchKind, mismatchId == "InvalidCheckpoint"
                    ? $"'{path}': the weights do not match the model its config describes: {shown}."
                    : $"The weights in '{path}' do not match model '{model.Name}': {shown}. "
                        + "Load into a model with the same layers in the same order; nothing was changed.") { Target = path };
            }
            var values = converted;
            // Every shape matched the model, so each buffer is the size of a weight the model already holds.
            foreach (var (w, d) in plan)
            {
                var v = ReadValues(d);
                if (v.LongLength != w.Count) throw Checkpoint.Invalid($"'{path}': '{w.Path}' holds {v.LongLength} values, not {w.Count}.");
                if (FlipTheanoKernels && w.Name == "kernel" && w.Shape.Length >= 3 && TheanoFlippedLayers.Contains(w.Owner.ClassName))
                    v = FlipSpatialAxes(v, w.Shape);
                values[w.Path] = v;
            }
            return values;
        });
}
