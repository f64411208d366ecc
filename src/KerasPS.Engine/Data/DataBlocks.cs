using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Data;

/// <summary>
/// The feature columns of a dataset that feed one named model input (Keras's <c>x = {"numbers": ..., "text": ...}</c>):
/// indices into the dataset's flat feature row. The block's tensor is [rows, columns]; a fit reshapes it to the input's
/// shape when the counts agree.
/// </summary>
public sealed record InputBlock(string Name, int[] Columns);

/// <summary>
/// The target of one named model output (Keras's <c>y = {"class": ..., "price": ...}</c>): class labels (indices into
/// <see cref="Classes"/>) or values, <see cref="Width"/> per row.
/// </summary>
public sealed class OutputTarget
{
    public OutputTarget(string name, string column, int[]? labels, IReadOnlyList<string>? classes, float[]? values, int width = 1)
    {
        if (string.IsNullOrWhiteSpace(name)) throw KerasException.BadArgument("InvalidTargetName", "An output name must not be empty.");
        if ((labels is null) == (values is null)) throw new ArgumentException("Give labels or values.", nameof(labels));
        if (labels is not null && (classes is null || classes.Count == 0))
            throw new ArgumentException("Class labels need a class list.", nameof(classes));
        Name = name;
        Column = column;
        Labels = labels;
        Classes = classes?.ToArray();
        Values = values;
        Width = labels is null ? width : 1;
    }

    /// <summary>The model output this target is for.</summary>
    public string Name { get; }

    /// <summary>The column (or property) the target came from.</summary>
    public string Column { get; }

    public TargetKind Kind => Labels is not null ? TargetKind.Classification : TargetKind.Regression;
    public int[]? Labels { get; }
    public IReadOnlyList<string>? Classes { get; }
    public float[]? Values { get; }
    public int Width { get; }

    /// <summary>Rows held.</summary>
    public int Count => Labels?.Length ?? Values!.Length / Math.Max(Width, 1);

    /// <summary>The same target for the given rows, in that order.</summary>
    public OutputTarget Subset(IReadOnlyList<int> rows)
    {
        if (Labels is not null) return new(Name, Column, rows.Select(r => Labels[r]).ToArray(), Classes, null);
        var v = new float[(long)rows.Count * Width];
        for (int i = 0; i < rows.Count; i++) Array.Copy(Values!, (long)rows[i] * Width, v, (long)i * Width, Width);
        return new(Name, Column, null, null, v, Width);
    }

    /// <summary>This target as a targets-only dataset (no features), so the single-output encoding rules apply to it.</summary>
    internal EncodedData AsData(int rows) =>
        new(new float[rows], new[] { 1 }, new[] { "_" }, Column, Labels, Classes, Values, Width);
}

/// <summary>Named inputs and outputs of a dataset: building them from columns, and slicing the features per input.</summary>
public static class DataBlocks
{
    /// <summary>
    /// The dataset with its feature columns split into named inputs (<c>-Inputs @{ numbers = 'a','b'; text = 'd' }</c>):
    /// each name lists columns by their feature name, or by their source column (a one-hot encoded column gives all its
    /// features, <c>d=x</c>, <c>d=y</c>, ...). Columns no input names feed nothing.
    /// </summary>
    public static EncodedData WithInputs(EncodedData data, IEnumerable<KeyValuePair<string, string[]>> inputs)
    {
        var blocks = new List<InputBlock>();
        foreach (var (name, columns) in inputs)
        {
            if (string.IsNullOrWhiteSpace(name)) throw KerasException.BadArgument("InvalidInputName", "An input name must not be empty.");
            if (blocks.Any(b => b.Name == name))
                throw KerasException.BadArgument("DuplicateInputName", $"Input '{name}' is named twice in -Inputs.", name);
            var picked = new List<int>();
            foreach (var column in columns)
            {
                var found = Enumerable.Range(0, data.FeatureNames.Count).Where(i => data.FeatureNames[i] == column
                    || data.FeatureNames[i].StartsWith(column + "=", StringComparison.Ordinal)).ToList();
                if (found.Count == 0)
                    throw KerasException.BadArgument("ColumnNotFound",
                        $"-Inputs names column '{column}' for input '{name}', but the data has no such feature column. "
                            + $"Columns: {string.Join(", ", data.SourceColumns ?? data.FeatureNames)}.", column);
                picked.AddRange(found);
            }
            if (picked.Count == 0)
                throw KerasException.BadArgument("InvalidInputColumns", $"-Inputs gives input '{name}' no columns.", name);
            blocks.Add(new InputBlock(name, picked.ToArray()));
        }
        if (blocks.Count == 0) throw KerasException.BadArgument("InvalidInputColumns", "-Inputs names no input.");
        return data.With(blocks, data.OutputTargets);
    }

    /// <summary>
    /// The dataset with the named feature columns taken out as targets of named outputs (<c>-Targets @{ class = 'label';
    /// price = 'price' }</c>): a one-hot encoded (text) column becomes class labels, numeric columns become values (several
    /// columns: several values per row). The remaining columns are the features.
    /// </summary>
    public static EncodedData WithTargets(EncodedData data, IEnumerable<KeyValuePair<string, string[]>> targets,
        TargetKind? kind = null)
    {
        var taken = new HashSet<int>();
        var outputs = new List<OutputTarget>();
        int n = data.Count, w = data.FeatureCount;
        foreach (var (name, columns) in targets)
        {
            if (outputs.Any(o => o.Name == name))
                throw KerasException.BadArgument("DuplicateTargetName", $"Output '{name}' is named twice in -Targets.", name);
            var cols = new List<int>();
            bool categorical = false;
            foreach (var column in columns)
            {
                int exact = IndexOf(data.FeatureNames, column);
                if (exact >= 0) { cols.Add(exact); continue; }
                var hot = Enumerable.Range(0, w)
                    .Where(i => data.FeatureNames[i].StartsWith(column + "=", StringComparison.Ordinal)).ToList();
                if (hot.Count == 0 || columns.Length > 1)
                    throw KerasException.BadArgument("TargetNotFound",
                        $"-Targets names column '{column}' for output '{name}', but the data has no such column"
                            + (hot.Count > 0 ? " that can be one of several target columns (a text column is one class target)." : ".")
                            + $" Columns: {string.Join(", ", data.SourceColumns ?? data.FeatureNames)}.", column);
                cols.AddRange(hot);
                categorical = true;
            }
            foreach (var c in cols)
                if (!taken.Add(c))
                    throw KerasException.BadArgument("DuplicateTargetColumn",
                        $"Column '{data.FeatureNames[c]}' is the target of two outputs.", data.FeatureNames[c]);
            var f = data.Features;
            if (categorical || kind == TargetKind.Classification)
            {
                string[] raw = new string[n];
                var names = cols.Select(c => data.FeatureNames[c]).ToArray();
                for (int r = 0; r < n; r++)
                {
                    if (categorical)
                    {
                        int hit = -1;
                        for (int k = 0; k < cols.Count; k++) if (f[(long)r * w + cols[k]] > 0.5f) hit = k;
                        if (hit < 0)
                            throw KerasException.BadData("MissingValue", $"Row {r} has no value in target column '{columns[0]}'.", r);
                        raw[r] = names[hit][(columns[0].Length + 1)..];
                    }
                    else
                    {
                        if (cols.Count != 1)
                            throw KerasException.BadArgument("TargetNotFound",
                                $"A classification target is one column; output '{name}' names {cols.Count}.", name);
                        raw[r] = f[(long)r * w + cols[0]].ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
                var (labels, classes) = EncodedData.EncodeLabels(raw);
                outputs.Add(new OutputTarget(name, string.Join(",", columns), labels, classes, null));
            }
            else
            {
                var v = new float[(long)n * cols.Count];
                for (int r = 0; r < n; r++)
                    for (int k = 0; k < cols.Count; k++) v[(long)r * cols.Count + k] = f[(long)r * w + cols[k]];
                outputs.Add(new OutputTarget(name, string.Join(",", columns), null, null, v, cols.Count));
            }
        }
        if (outputs.Count == 0) throw KerasException.BadArgument("TargetNotFound", "-Targets names no output.");
        var keep = Enumerable.Range(0, w).Where(i => !taken.Contains(i)).ToArray();
        var features = new float[(long)n * keep.Length];
        for (int r = 0; r < n; r++)
            for (int k = 0; k < keep.Length; k++) features[(long)r * keep.Length + k] = data.Features[(long)r * w + keep[k]];
        var targetSources = targets.SelectMany(t => t.Value).ToHashSet(StringComparer.Ordinal);
        return new EncodedData(features, new[] { keep.Length }, keep.Select(i => data.FeatureNames[i]).ToArray())
        {
            Metadata = new Dictionary<string, object?>(data.Metadata),
            Categories = data.Categories.Where(kv => !targetSources.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value),
            SourceColumns = data.SourceColumns?.Where(c => !targetSources.Contains(c)).ToArray(),
            MissingFills = data.MissingFills.Where(kv => !targetSources.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value),
            MissingIndicators = data.MissingIndicators,
            RowKeys = data.RowKeys,
            RowKeyName = data.RowKeyName,
            OutputTargets = outputs,
        };
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }

    /// <summary>
    /// One tensor per model input, in the model's input order: the input's block (or, for a dataset without blocks and a
    /// model with one input, all features), shaped [rows, ...shape]. A model input the data has nothing for is an
    /// <c>InputDataMissing</c> error naming it.
    /// </summary>
    public static Tensor[] InputTensors(EncodedData data, IReadOnlyList<string> names, IReadOnlyList<int[]?> shapes)
    {
        var all = data.FeatureTensor();
        if (data.InputBlocks is null)
        {
            if (names.Count != 1)
                throw KerasException.BadArgument("InputDataMissing",
                    $"The model has {names.Count} inputs ({string.Join(", ", names)}) but the data is one block of features. "
                        + "Name the columns of each input: Import-ModelData -Inputs @{ name = 'column', ... }, or -X @{ name = ... }.",
                    names[0]);
            return new[] { all.alias() };
        }
        var result = new Tensor[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            var block = data.InputBlocks.FirstOrDefault(b => b.Name == names[i])
                ?? (names.Count == 1 && data.InputBlocks.Count == 1 ? data.InputBlocks[0] : null)
                ?? throw KerasException.BadArgument("InputDataMissing",
                    $"The data has nothing for model input '{names[i]}'. "
                        + $"Its inputs: {string.Join(", ", data.InputBlocks.Select(b => b.Name))}. "
                        + $"Give -Inputs @{{ {names[i]} = <columns> }} (or -X @{{ {names[i]} = ... }}).", names[i]);
            var shape = shapes[i];
            if (shape is not null && Shapes.Product(shape) != block.Columns.Length)
                throw KerasException.BadArgument("InputShapeMismatch",
                    $"Model input '{names[i]}' expects {Shapes.Format(shape)} ({Shapes.Product(shape)} values per row), "
                        + $"but the data gives it {block.Columns.Length} column(s).", names[i]);
            using var index = torch.tensor(block.Columns.Select(c => (long)c).ToArray());
            var t = all.reshape(data.Count, -1).index_select(1, index);
            result[i] = shape is null ? t : t.reshape(Shapes.WithBatch(data.Count, shape));
        }
        return result;
    }
}
