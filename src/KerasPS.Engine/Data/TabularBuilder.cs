using System.Globalization;

namespace KerasPS.Engine.Data;

/// <summary>How a feature column is encoded.</summary>
public enum ColumnKind { Unknown, Numeric, Categorical }

/// <summary>Settings shared by every way of turning a table into a <see cref="EncodedData"/> (CSV, objects, DataFrame).</summary>
public sealed class TabularOptions
{
    /// <summary>Value written for empty cells of numeric columns; null makes an empty cell an error.</summary>
    public float? MissingValue { get; init; }

    /// <summary>Fill rules by column (-MissingValue @{ Age = 'median' }) and missing indicators (-AddIndicator); a rule here wins
    /// over <see cref="MissingValue"/>.</summary>
    public MissingValueRules? MissingRules { get; init; }

    /// <summary>
    /// Fills to apply when there is no <see cref="Template"/> (a model that kept its training data's
    /// <see cref="EncodedData.MissingFills"/>): column name to fill, as <see cref="EncodedData.MissingFills"/> holds them.
    /// </summary>
    public IReadOnlyDictionary<string, string?>? MissingFills { get; init; }

    /// <summary>The columns with a missing indicator when there is no <see cref="Template"/> (a model's
    /// <see cref="EncodedData.MissingIndicators"/>).</summary>
    public IReadOnlyList<string>? MissingIndicators { get; init; }

    /// <summary>The fills learnt on the training data: the template's, or <see cref="MissingFills"/>; null when none is fixed.</summary>
    internal IReadOnlyDictionary<string, string?>? FixedFills => Template?.MissingFills is { Count: > 0 } f ? f : MissingFills;

    /// <summary>The indicator columns fixed by the training data (the template's, or <see cref="MissingIndicators"/>); null when
    /// they are learnt from this data.</summary>
    internal IReadOnlyList<string>? FixedIndicators => Template is not null ? Template.MissingIndicators : MissingIndicators;

    /// <summary>The rule for a column: its own, the rule for every column, or the single <see cref="MissingValue"/>.</summary>
    internal ImputeRule? RuleFor(string column) =>
        MissingRules?.RuleFor(column) ?? (MissingValue is float m ? ImputeRule.Constant(m) : null);

    /// <summary>Columns one-hot encoded as text even when their values are numbers (codes such as zip codes).</summary>
    public IReadOnlyList<string>? Categorical { get; init; }

    /// <summary>Shape of one row's features (e.g. 28,28,1); the default is a flat vector.</summary>
    public int[]? FeatureShape { get; init; }

    /// <summary>Forces the target kind; by default a target with text is classification and an all-numeric one regression.</summary>
    public TargetKind? TargetKind { get; init; }

    /// <summary>
    /// A dataset whose encoding to reuse (the training data when loading test data): its category lists, so that
    /// a category gets the same one-hot column, and its feature columns.
    /// </summary>
    public EncodedData? Template { get; init; }

    /// <summary>
    /// Category lists to encode with when there is no <see cref="Template"/> dataset at hand (a model that kept its
    /// training data's <see cref="EncodedData.Categories"/>): column name to categories, in one-hot order.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Categories { get; init; }

    /// <summary>
    /// The source feature columns to read when there is no <see cref="Template"/> (its <see cref="EncodedData.SourceColumns"/>).
    /// </summary>
    public IReadOnlyList<string>? SourceColumns { get; init; }

    /// <summary>The fixed category lists: the template's, or <see cref="Categories"/>; null when categories are learnt from the
    /// data.</summary>
    internal IReadOnlyDictionary<string, IReadOnlyList<string>>? FixedCategories => Template?.Categories ?? Categories;

    /// <summary>The source columns of the template, or <see cref="SourceColumns"/>.</summary>
    /// <summary>
    /// The rows are new data for a trained model (Invoke-ModelPredict), which has no -Exclude, -Categorical or
    /// -MissingValue to offer: error messages then say what the model needs instead of naming those parameters.
    /// </summary>
    public bool ForTrainedModel { get; init; }

    /// <summary>Where warnings about the data go (a text column with nearly one category per row); null drops them.</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>
    /// Columns kept as raw strings (<see cref="EncodedData.TextColumns"/>) for a model that takes text: each keeps one
    /// placeholder feature (0) and its strings as read (an empty cell is the empty string). The template's text columns
    /// when a template is given.
    /// </summary>
    public IReadOnlyList<string>? Text { get; init; }

    internal IReadOnlyList<string>? TextColumns => Text ?? Template?.TextColumns?.Keys.ToArray();

    public IReadOnlyList<string>? FixedSourceColumns => Template?.SourceColumns ?? SourceColumns;
}

/// <summary>
/// Builds a <see cref="EncodedData"/> row by row from numbers and text, with the module's one rule set for every source:
/// <list type="bullet">
/// <item>A feature column is numeric when its first non-empty value is a number; every later value must be a number
/// too (error <c>NonNumericValue</c> naming the row and column).</item>
/// <item>A column whose first non-empty value is text (or that is named in <see cref="TabularOptions.Categorical"/>)
/// is categorical and one-hot encoded: one feature per category, named <c>column=category</c>, categories in the
/// order of <see cref="EncodedData.EncodeLabels"/> (numeric order when every category is a number, otherwise ordinal).
/// The category lists are kept in <see cref="EncodedData.Categories"/>, and a dataset built with that dataset as
/// <see cref="TabularOptions.Template"/> encodes the same categories into the same columns.
/// A number in a column that started with text is an error (<c>MixedColumn</c>): name the column in -Categorical.</item>
/// <item>An empty cell, or one holding a missing-value marker (NA, N/A, NaN, null, None, #N/A, ?: see
/// <see cref="IsMissingToken"/>), is an error (<c>MissingValue</c>, listing every column with empty cells) unless the column has
/// a fill rule (<see cref="TabularOptions.MissingRules"/>, <see cref="TabularOptions.MissingValue"/>): a constant (a number;
/// in a text column a category, or all zeros for a number), or scikit-learn SimpleImputer's mean, median or most frequent value
/// of the column, learnt on this data. The fill of every column with a rule is kept in <see cref="EncodedData.MissingFills"/>, so
/// data encoded with this dataset as template (or by a model trained on it) gets the same fill; with
/// <see cref="MissingValueRules.AddIndicator"/> each column with empty cells also gets a 0/1 feature after the others.</item>
/// </list>
/// Costs are linear in the number of cells: features go into one preallocated row-major float32 buffer.
/// </summary>
public sealed class TabularBuilder
{
    private readonly string[] columns;
    private readonly TabularOptions options;
    private readonly Func<int, int, string> where;
    private readonly ColumnKind[] kinds;
    private readonly bool[] forcedCategorical;
    private readonly Dictionary<string, int>?[] categoryIndex;
    private readonly List<string>?[] categoryNames;
    private readonly int[] firstTextRow;
    private readonly List<string>?[] textValues;   // the strings of each -Text column, null for the others
    private float[] features;
    private int rows;
    private int row = -1;
    private bool anyMissing;
    private long categoryTotal;   // categories of all one-hot columns so far: the encoded width is at most columns + this
    private readonly long maxEncoded = MaxEncodedValues;

    /// <summary>
    /// The most values the encoded features may hold: a quarter of the memory this process may use, as float32, and
    /// never more than one .NET array. Checked as categories appear, so that an id-like text column (every value new)
    /// is refused after a few thousand rows rather than after gigabytes.
    /// </summary>
    internal static long MaxEncodedValues =>
        Math.Min(Array.MaxLength, Math.Max(1L << 24, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 / sizeof(float)));
    private readonly int[] missingCounts;
    private readonly bool[] hasFill;   // a fill rule or a fixed fill: empty cells of the column are filled, not errors
    private string? firstMissing;

    // target: distinct raw values and the index of each row's value
    private readonly string? targetName;
    private readonly Dictionary<string, int> targetIndex = new(StringComparer.Ordinal);
    private readonly List<string> targetValues = new();
    private int[] targetRaw;

    /// <param name="featureColumns">Feature column names, in output order.</param>
    /// <param name="targetName">Target column name, or null for features only.</param>
    /// <param name="options">Missing values, categorical columns, feature shape, template.</param>
    /// <param name="where">Describes a cell for error messages, from (0-based row, 0-based feature column).</param>
    /// <param name="expectedRows">Rows to preallocate for (a guess is fine; the buffers grow).</param>
    public TabularBuilder(IReadOnlyList<string> featureColumns, string? targetName, TabularOptions? options, Func<int, int, string> where,
        int expectedRows = 1024)
    {
        columns = featureColumns.ToArray();
        this.options = options ?? new TabularOptions();
        this.where = where;
        this.targetName = targetName;
        int n = columns.Length;
        kinds = new ColumnKind[n];
        forcedCategorical = new bool[n];
        categoryIndex = new Dictionary<string, int>?[n];
        categoryNames = new List<string>?[n];
        firstTextRow = new int[n];
        missingCounts = new int[n];
        textValues = new List<string>?[n];
        hasFill = new bool[n];
        var fixedFills = this.options.FixedFills;
        for (int c = 0; c < n; c++)
            hasFill[c] = fixedFills?.ContainsKey(columns[c]) == true || this.options.RuleFor(columns[c]) is not null;
        var template = this.options.FixedCategories;
        for (int c = 0; c < n; c++)
        {
            bool forced = this.options.Categorical?.Contains(columns[c], StringComparer.OrdinalIgnoreCase) == true;
            if (template is not null && template.TryGetValue(columns[c], out var cats))
            {
                forced = true;
                categoryNames[c] = cats.ToList();
                categoryIndex[c] = new Dictionary<string, int>(StringComparer.Ordinal);
                for (int i = 0; i < cats.Count; i++) categoryIndex[c]![cats[i]] = i;
            }
            forcedCategorical[c] = forced;
            if (forced) kinds[c] = ColumnKind.Categorical;
            firstTextRow[c] = -1;
            if (this.options.TextColumns?.Contains(columns[c], StringComparer.OrdinalIgnoreCase) == true)
            {
                // Read as categorical (as raw text, never parsed), kept as strings, never one-hot encoded.
                textValues[c] = new List<string>(Math.Max(1, expectedRows));
                kinds[c] = ColumnKind.Categorical;
            }
        }
        expectedRows = Math.Max(1, expectedRows);
        // Uninitialised: every cell of a row is written (or marked missing) before the row counts.
        features = LargeArrays.Uninitialized((int)Math.Min((long)expectedRows * Math.Max(1, n), Array.MaxLength));
        targetRaw = targetName is null ? Array.Empty<int>() : new int[expectedRows];
    }

    public IReadOnlyList<string> Columns => columns;
    public int Rows => rows;
    public ColumnKind KindOf(int column) => kinds[column];

    /// <summary>Starts the next row. The caller then sets every feature cell of it (Number, Text or Missing): the buffer is not
    /// zeroed.</summary>
    public void BeginRow()
    {
        row = rows++;
        int w = columns.Length;
        if ((long)rows * w > features.LongLength)
        {
            long cap = Math.Max((long)rows * w, features.LongLength * 2);
            Array.Resize(ref features, (int)Math.Min(cap, Array.MaxLength));
            if ((long)rows * w > features.LongLength)
                throw KerasException.BadData("DataTooLarge",
                    $"The data has more than {Array.MaxLength:N0} feature values, more than one float32 array holds. "
                    + "Load fewer rows or columns.");
        }
        if (targetName is not null && rows > targetRaw.Length) Array.Resize(ref targetRaw, Math.Max(rows, targetRaw.Length * 2));
    }

    /// <summary>
    /// Drops the row begun last, after one of its cells was refused, so a caller that reports one bad row can go on
    /// (Invoke-ModelPredict). A category or class first seen in that row stays known; with a template's categories none is added.
    /// </summary>
    public void DiscardRow()
    {
        if (row >= 0 && row == rows - 1) rows--;
        row = -1;
    }

    /// <summary>A numeric cell. In a categorical column the number counts as text (its invariant string).</summary>
    public void Number(int column, double value)
    {
        if (textValues[column] is not null) { KeepText(column, value.ToString("R", CultureInfo.InvariantCulture)); return; }
        if (kinds[column] == ColumnKind.Categorical)
        {
            Text(column, value.ToString("R", CultureInfo.InvariantCulture));
            return;
        }
        if (float.IsInfinity((float)value) || ((float)value == 0 && value != 0))
            throw OutOfRange(column, value.ToString("R", CultureInfo.InvariantCulture));
        kinds[column] = ColumnKind.Numeric;
        features[(long)row * columns.Length + column] = (float)value;
    }

    /// <summary>A float32 cell, exactly as parsed (no double rounding).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Number(int column, float value)
    {
        if (kinds[column] == ColumnKind.Categorical) { Number(column, (double)value); return; }
        kinds[column] = ColumnKind.Numeric;
        features[(long)row * columns.Length + column] = value;
    }

    /// <summary>A text cell: parsed as an invariant-culture number in numeric columns, a category otherwise.</summary>
    public void Text(int column, string text)
    {
        if (textValues[column] is not null) { KeepText(column, text); return; }
        if (text.Length == 0 || IsMissingToken(text)) { Missing(column); return; }
        if (text.Contains('\0'))
            throw KerasException.BadData("InvalidCharacter",
                $"{where(row, column)} holds '{Clip(text)}', which contains a NUL byte (\\0). Text data never holds one: "
                    + "the file is binary, damaged, or UTF-16 read as UTF-8 (give -Encoding).", text);
        var kind = kinds[column];
        if (kind != ColumnKind.Categorical)
        {
            var parsed = NumberText.Parse(text, out var v);
            if (parsed == NumberKind.Number) { Number(column, v); return; }
            if (parsed == NumberKind.Unrepresentable) throw OutOfRange(column, text);
            if (kind == ColumnKind.Numeric)
                throw KerasException.BadData("NonNumericValue",
                    $"{where(row, column)} holds '{Clip(text)}', which is not a number, in a column of numbers. " + (options.ForTrainedModel
                        ? "The model was trained on numbers there; fix the value."
                        : $"Fix the value, leave the column out with -Exclude, or one-hot it with -Categorical {columns[column]}."), text);
            kinds[column] = kind = ColumnKind.Categorical;
            firstTextRow[column] = row;
        }
        else if (!forcedCategorical[column] && TryParseNumber(text, out _))
        {
            throw KerasException.BadData("MixedColumn",
                $"{where(row, column)} holds the number '{Clip(text)}' in a column of text (its first value, "
                    + $"at row {firstTextRow[column] + 1}, is text). " + (options.ForTrainedModel
                    ? "Fix the value."
                    : $"Fix the value, or treat every value as a category with -Categorical {columns[column]}."), text);
        }
        var index = categoryIndex[column] ??= new Dictionary<string, int>(StringComparer.Ordinal);
        var names = categoryNames[column] ??= new List<string>();
        if (!index.TryGetValue(text, out int code))
        {
            if (options.FixedCategories?.ContainsKey(columns[column]) == true)
                throw KerasException.BadData("UnknownCategory",
                    $"{where(row, column)} holds the category '{Clip(text)}', which the template data does not have "
                        + $"({string.Join(", ", names.Take(10))}{(names.Count > 10 ? ", ..." : "")}). "
                        + "A model trained on the template has no input for it; drop or relabel those rows.", text);
            code = names.Count;
            names.Add(text);
            index[text] = code;
            categoryTotal++;
            if (rows * (columns.Length + categoryTotal) > maxEncoded) throw TooWide(column, rows);
        }
        features[(long)row * columns.Length + column] = code;
    }

    /// <summary>A cell of a -Text column: its string, and 0 as its placeholder feature.</summary>
    private void KeepText(int column, string text)
    {
        var list = textValues[column]!;
        if (list.Count > row) list.RemoveRange(row, list.Count - row);   // a discarded row's cell
        list.Add(text);
        features[(long)row * columns.Length + column] = 0f;
    }

    private KerasException TooWide(int column, int rowCount)
    {
        long width = columns.Length + categoryTotal;
        double gb = (double)rowCount * width * sizeof(float) / (1L << 30);
        return KerasException.BadData("OneHotTooWide",
            $"Column '{columns[column]}' has {categoryNames[column]!.Count:N0} distinct text values in the first {rowCount:N0} rows: "
                + $"one-hot encoding would need at least {rowCount:N0} rows x {width:N0} values ({gb:0.0} GB), more than the "
                + $"{(double)maxEncoded * sizeof(float) / (1L << 30):0.0} GB KerasPS allows for encoded data here. "
                + (options.ForTrainedModel ? "Check that the column holds categories, not ids."
                    : $"If it is an identifier, leave it out with -Exclude {columns[column]}; otherwise map it to fewer categories."),
            columns[column]);
    }

    private KerasException OutOfRange(int column, string text) =>
        KerasException.BadData("NumberOutOfRange",
            $"{where(row, column)} holds '{Clip(text)}', {NumberText.RangeRule}. Fix the value or rescale the column; "
                + $"to keep it as a label, one-hot it with -Categorical {columns[column]}.", text);

    /// <summary>An empty cell: an error unless a missing value was given. New data for a trained model fails at once (one row is
    /// reported and the others go on); other data is read to the end first, so that one error lists every column with empty cells.
    /// </summary>
    public void Missing(int column)
    {
        if (textValues[column] is not null) { KeepText(column, ""); return; }
        if (!hasFill[column])
        {
            if (options.ForTrainedModel)
                throw KerasException.BadData("MissingValue",
                    $"{where(row, column)} is empty. The model was trained on this column and has no fill for its empty cells; "
                        + "give every object a value for it.", row);
            firstMissing ??= where(row, column);
        }
        missingCounts[column]++;
        anyMissing = true;
        features[(long)row * columns.Length + column] = float.NaN;
    }

    /// <summary>The current row's target, as text (class label or a number written as text); false, and nothing stored, when it is
    /// empty.</summary>
    public bool Target(string value)
    {
        if (value.Length == 0 || IsMissingToken(value)) return false;
        if (value.Contains('\0'))
            throw KerasException.BadData("InvalidCharacter",
                $"Row {row + 1} of the target '{targetName}' holds '{Clip(value)}', which contains a NUL byte (\\0). "
                    + "Text data never holds one: the file is binary, damaged, or UTF-16 read as UTF-8 (give -Encoding).", value);
        if (!targetIndex.TryGetValue(value, out int code))
        {
            code = targetValues.Count;
            targetValues.Add(value);
            targetIndex[value] = code;
        }
        targetRaw[row] = code;
        return true;
    }

    /// <summary>The dataset: categorical columns expanded to one-hot, missing cells filled, the target encoded.</summary>
    public EncodedData Build(IDictionary<string, object?>? metadata = null)
    {
        if (rows == 0) throw KerasException.BadData("NoDataRows", "The data has a header but no rows. Give at least one row.");
        int w = columns.Length;
        if (firstMissing is not null)
        {
            var holes = Enumerable.Range(0, w).Where(c => missingCounts[c] > 0 && !hasFill[c])
                .Select(c => $"{columns[c]} ({missingCounts[c].ToString("N0", CultureInfo.InvariantCulture)} "
                    + $"{(missingCounts[c] == 1 ? "row" : "rows")})").ToList();
            throw KerasException.BadData("MissingValue",
                $"{firstMissing} is empty; {(holes.Count == 1 ? "1 column has" : $"{holes.Count} columns have")} empty cells: "
                    + $"{string.Join(", ", holes)}. Fill them, leave those columns out with -Exclude, or give -MissingValue: a number "
                    + "for every column, or a rule per column (-MissingValue @{ Age = 'median'; Cabin = 'missing' }; mean, median, "
                    + "most_frequent or a constant).", holes.Count);
        }
        AddConstantCategories();
        var sortedCats = new string[]?[w];
        var remap = new int[]?[w];
        for (int c = 0; c < w; c++)
        {
            if (kinds[c] != ColumnKind.Categorical || textValues[c] is not null) continue;
            var names = categoryNames[c] ?? new List<string>();
            if (options.FixedCategories?.TryGetValue(columns[c], out var fixedOrder) == true)
            {
                sortedCats[c] = fixedOrder.ToArray();
                remap[c] = Enumerable.Range(0, fixedOrder.Count).ToArray();
            }
            else
            {
                var (codes, order) = EncodedData.EncodeLabels(names);
                sortedCats[c] = order;
                remap[c] = codes;   // insertion code -> sorted code
            }
        }

        if (options.Warn is { } warn && options.FixedCategories is null) WarnIdLikeColumns(sortedCats, warn);
        var (numberFill, categoryFill, fills) = Fills(sortedCats);
        var indicators = (options.FixedIndicators ?? (options.MissingRules?.AddIndicator == true
            ? Enumerable.Range(0, w).Where(c => missingCounts[c] > 0).Select(c => columns[c]).ToArray()
            : Array.Empty<string>())).ToArray();
        var indicatorColumn = indicators.Select(name => Array.IndexOf(columns, name)).ToArray();
        bool anyCategorical = sortedCats.Any(s => s is not null);
        float[] outFeatures;
        string[] names2;
        if (!anyCategorical && indicators.Length == 0)
        {
            outFeatures = features.Length == (long)rows * w ? features : features.AsSpan(0, rows * w).ToArray();
            if (anyMissing)
                for (long i = 0; i < outFeatures.LongLength; i++)
                    if (float.IsNaN(outFeatures[i])) outFeatures[i] = numberFill[(int)(i % w)];
            names2 = columns;
        }
        else
        {
            var offsets = new int[w];
            var nameList = new List<string>();
            for (int c = 0; c < w; c++)
            {
                offsets[c] = nameList.Count;
                if (sortedCats[c] is { } cats) nameList.AddRange(cats.Select(k => $"{columns[c]}={k}"));
                else nameList.Add(columns[c]);
            }
            int indicatorOffset = nameList.Count;
            nameList.AddRange(indicators.Select(MissingValueRules.IndicatorName));
            int ow = nameList.Count;
            int widest = Enumerable.Range(0, w).MaxBy(c => sortedCats[c]?.Length ?? 0);
            if ((long)rows * ow > maxEncoded) throw TooWide(widest, rows);
            try { outFeatures = new float[(long)rows * ow]; }
            catch (OutOfMemoryException) { throw TooWide(widest, rows); }
            for (int r = 0; r < rows; r++)
            {
                long src = (long)r * w, dst = (long)r * ow;
                for (int c = 0; c < w; c++)
                {
                    float v = features[src + c];
                    if (sortedCats[c] is null) outFeatures[dst + offsets[c]] = float.IsNaN(v) ? numberFill[c] : v;
                    else if (!float.IsNaN(v)) outFeatures[dst + offsets[c] + remap[c]![(int)v]] = 1f;
                    else if (categoryFill[c] >= 0) outFeatures[dst + offsets[c] + categoryFill[c]] = 1f;
                }
                for (int k = 0; k < indicators.Length; k++)
                    if (indicatorColumn[k] >= 0 && float.IsNaN(features[src + indicatorColumn[k]]))
                        outFeatures[dst + indicatorOffset + k] = 1f;
            }
            names2 = nameList.ToArray();
        }

        var shape = options.FeatureShape ?? new[] { names2.Length };
        shape = Shapes.Validate(shape, "FeatureShape");
        if (Shapes.Product(shape) != names2.Length)
            throw KerasException.BadArgument("InvalidFeatureShape",
                $"-FeatureShape {string.Join(",", shape)} holds {Shapes.Product(shape)} values per row, "
                    + $"but the data has {names2.Length} features per row. Give a shape whose product is {names2.Length}.", shape);

        var categories = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (int c = 0; c < w; c++) if (sortedCats[c] is { } cats) categories[columns[c]] = cats;
        var meta = metadata ?? new Dictionary<string, object?>();
        meta["Categories"] = categories;   // also on EncodedData.Categories; here for code that reads Metadata

        int[]? labels = null; string[]? classes = null; float[]? targets = null;
        if (targetName is not null)
        {
            var parsedTargets = targetValues.Select(v => NumberText.Parse(v, out _)).ToArray();
            bool allNumeric = parsedTargets.All(k => k == NumberKind.Number);
            bool numbersOnly = parsedTargets.All(k => k != NumberKind.NotANumber);
            var kind = options.TargetKind ?? (numbersOnly ? Data.TargetKind.Regression : Data.TargetKind.Classification);
            if (kind == Data.TargetKind.Regression)
            {
                // A number float32 cannot hold would otherwise turn an all-numeric target into classification, or into infinity.
                int unrepresentable = Array.IndexOf(parsedTargets, NumberKind.Unrepresentable);
                if (unrepresentable >= 0)
                    throw KerasException.BadData("NumberOutOfRange",
                        $"The target '{targetName}' holds '{Clip(targetValues[unrepresentable])}', {NumberText.RangeRule}. "
                            + "Fix the value or rescale the target, or load it as classification (-TargetKind Classification).",
                            targetValues[unrepresentable]);
                if (!allNumeric)
                {
                    var bad = targetValues.First(v => !TryParseNumber(v, out _));
                    throw KerasException.BadData("NonNumericValue",
                        $"The target '{targetName}' holds '{Clip(bad)}', which is not a number, but a regression target must be numeric. "
                        + "Fix the value, or load it as classification.", bad);
                }
                var parsed = targetValues.Select(v => { NumberText.TryParse(v, out var f); return f; }).ToArray();
                targets = new float[rows];
                for (int r = 0; r < rows; r++) targets[r] = parsed[targetRaw[r]];
            }
            else
            {
                var (codes, order) = EncodedData.EncodeLabels(targetValues);
                classes = order;
                labels = new int[rows];
                for (int r = 0; r < rows; r++) labels[r] = codes[targetRaw[r]];
            }
        }
        Dictionary<string, IReadOnlyList<string>>? texts = null;
        for (int c = 0; c < w; c++)
            if (textValues[c] is { } list) (texts ??= new())[columns[c]] = list.Count == rows ? list : list.GetRange(0, rows);
        return new EncodedData(outFeatures, shape, names2, targetName, labels, classes, targets)
        {
            Metadata = meta,
            Categories = categories,
            SourceColumns = columns,
            TextColumns = texts,
            MissingFills = fills,
            MissingIndicators = indicators,
        };
    }

    /// <summary>
    /// Before categories are sorted: a constant category that fills a text column's empty cells becomes one of its categories
    /// (scikit-learn imputes before one-hot encoding), unless the categories are the template's.
    /// </summary>
    private void AddConstantCategories()
    {
        for (int c = 0; c < columns.Length; c++)
        {
            if (missingCounts[c] == 0 || options.FixedFills?.ContainsKey(columns[c]) == true) continue;
            if (options.RuleFor(columns[c]) is not { Category: { } category }) continue;
            if (kinds[c] == ColumnKind.Unknown) kinds[c] = ColumnKind.Categorical;   // every cell empty: the fill is its one value
            if (kinds[c] != ColumnKind.Categorical || options.FixedCategories?.ContainsKey(columns[c]) == true) continue;
            var index = categoryIndex[c] ??= new Dictionary<string, int>(StringComparer.Ordinal);
            var names = categoryNames[c] ??= new List<string>();
            if (index.ContainsKey(category)) continue;
            index[category] = names.Count;
            names.Add(category);
            categoryTotal++;
        }
    }

    /// <summary>
    /// Each column's fill: the template's (or model's) where it has one, else learnt by the column's rule on this data. Returns
    /// the number for numeric columns (NaN: none), the one-hot position for text columns (-1: all zeros) and the fills to keep
    /// in the encoding (numbers as invariant text, categories as they are, null for all zeros).
    /// </summary>
    private (float[] Number, int[] Category, Dictionary<string, string?> Kept) Fills(string[]?[] sortedCats)
    {
        int w = columns.Length;
        var number = new float[w];
        var category = new int[w];
        var kept = new Dictionary<string, string?>(StringComparer.Ordinal);
        var fixedFills = options.FixedFills;
        for (int c = 0; c < w; c++)
        {
            number[c] = float.NaN;
            category[c] = -1;
            string? text;
            if (fixedFills is not null && fixedFills.TryGetValue(columns[c], out var given)) text = given;
            else if (options.RuleFor(columns[c]) is { } rule)
            {
                if (!Learn(c, rule, out text)) continue;
            }
            else continue;
            kept[columns[c]] = text;
            if (sortedCats[c] is { } cats) category[c] = text is null ? -1 : Array.IndexOf(cats, text);
            else if (text is not null && NumberText.TryParse(text, out var f)) number[c] = f;
            else if (missingCounts[c] > 0)
                throw KerasException.BadData("InvalidMissingFill",
                    $"Column '{columns[c]}' holds numbers, but the fill for its empty cells is '{Clip(text ?? "")}', which is not a "
                        + "number. Train again on data whose fill for it is a number.", columns[c]);
        }
        return (number, category, kept);
    }

    /// <summary>Learns one column's fill by its rule (false: the rule does not apply to this column and it has no empty cells).</summary>
    private bool Learn(int c, ImputeRule rule, out string? fill)
    {
        fill = null;
        string column = columns[c];
        bool must = missingCounts[c] > 0 || options.MissingRules?.Names(column) == true;
        bool text = kinds[c] == ColumnKind.Categorical;
        if (rule.Strategy == ImputeStrategy.Constant)
        {
            if (text) { fill = rule.Category; return true; }   // a number in a text column: all zeros, as one -MissingValue always did
            if (rule.Number is double n) { fill = ((float)n).ToString("R", CultureInfo.InvariantCulture); return true; }
            if (!must) return false;
            throw KerasException.BadArgument("MissingValueNotNumber",
                $"Column '{column}' holds numbers, so its empty cells need a number, but -MissingValue gives it {rule}. Give a number "
                    + $"or a strategy (-MissingValue @{{ {column} = 'median' }}).", column);
        }
        if (text && rule.Strategy != ImputeStrategy.MostFrequent)
        {
            if (!must) return false;
            throw KerasException.BadArgument("ImputeNeedsNumbers",
                $"Column '{column}' holds text, so it has no {rule}. Fill it with its most frequent category "
                    + $"(-MissingValue @{{ {column} = 'most_frequent' }}) or a constant category (@{{ {column} = 'missing' }}).", column);
        }
        int w = columns.Length;
        if (text)
        {
            var names = categoryNames[c] ?? new List<string>();
            var counts = new int[names.Count];
            for (int r = 0; r < rows; r++)
                if (features[(long)r * w + c] is var v && !float.IsNaN(v)) counts[(int)v]++;
            int best = -1;
            for (int k = 0; k < counts.Length; k++)   // ties: the smallest value, as scikit-learn
                if (counts[k] > 0 && (best < 0 || counts[k] > counts[best]
                    || (counts[k] == counts[best] && string.CompareOrdinal(names[k], names[best]) < 0))) best = k;
            if (best < 0) throw NoValues(column, rule);
            fill = names[best];
            return true;
        }
        var values = new List<float>(rows);
        for (int r = 0; r < rows; r++)
            if (features[(long)r * w + c] is var v && !float.IsNaN(v)) values.Add(v);
        if (values.Count == 0) throw NoValues(column, rule);
        double learnt;
        switch (rule.Strategy)
        {
            case ImputeStrategy.Mean:
                double sum = 0;
                foreach (var v in values) sum += v;
                learnt = sum / values.Count;
                break;
            case ImputeStrategy.Median:
                values.Sort();
                int mid = values.Count / 2;
                learnt = values.Count % 2 == 1 ? values[mid] : ((double)values[mid - 1] + values[mid]) / 2;
                break;
            default:
                values.Sort();
                float mode = values[0];
                int modeCount = 0;
                for (int i = 0; i < values.Count;)
                {
                    int j = i;
                    while (j < values.Count && values[j] == values[i]) j++;
                    if (j - i > modeCount) { modeCount = j - i; mode = values[i]; }   // ascending, so ties keep the smallest
                    i = j;
                }
                learnt = mode;
                break;
        }
        fill = ((float)learnt).ToString("R", CultureInfo.InvariantCulture);
        return true;
    }

    private static KerasException NoValues(string column, ImputeRule rule) =>
        KerasException.BadData("NoValuesToLearn",
            $"Column '{column}' has no values, only empty cells, so there is no {rule} to fill them with. Leave it out with "
                + $"-Exclude {column}, or give a constant (-MissingValue @{{ {column} = 0 }}).", column);

    /// <summary>Rows from which a text column with nearly one category per row is worth a warning.</summary>
    public const int IdLikeMinRows = 20;

    /// <summary>
    /// Warns once per text column whose categories are nearly one per row (more than half the rows): an id, a name or free
    /// text, which one-hot encoding turns into as many features that teach the model nothing (Titanic's Name: 891 categories
    /// in 891 rows).
    /// </summary>
    private void WarnIdLikeColumns(string[]?[] sortedCats, Action<string> warn)
    {
        if (rows < IdLikeMinRows) return;
        for (int c = 0; c < columns.Length; c++)
        {
            if (sortedCats[c] is not { } cats || forcedCategorical[c] || cats.Length * 2 <= rows) continue;
            warn($"Column '{columns[c]}' has {cats.Length} categories in {rows} rows, nearly one per row (an id or free text), "
                + $"so one-hot encoding makes {cats.Length} features of it that teach the model nothing. Leave it out with "
                + $"-Exclude {columns[c]}, keep it as the row key with -IdColumn {columns[c]}, or turn the text into tokens for an "
                + "Embedding layer.");
        }
    }

    private static readonly HashSet<string> MissingTokens = new(StringComparer.Ordinal)
    {
        "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "null", "NULL", "Null", "None", "#N/A", "#NA", "<NA>", "?",
    };

    /// <summary>The markers of a missing value that pandas reads as NaN by default (NA, N/A, NaN, null, None, #N/A, ...), and
    /// '?'.</summary>
    public static bool IsMissingToken(string text) => text.Length <= 5 && MissingTokens.Contains(text);

    /// <summary>A finite float32 number in the loaders' one grammar (<see cref="NumberText"/>): 1, -2.5, 1e-3; not NaN, Infinity or
    /// 1e39.</summary>
    public static bool TryParseNumber(string s, out double value)
    {
        bool ok = NumberText.TryParse(s, out var f);
        value = f;
        return ok;
    }

    /// <summary>A value as a message shows it: at most 40 characters, control characters written as \uXXXX so that none is
    /// invisible.</summary>
    internal static string Clip(string s)
    {
        s = s.Length <= 40 ? s : s[..37] + "...";
        return s.Any(char.IsControl) ? string.Concat(s.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString())) : s;
    }
}
