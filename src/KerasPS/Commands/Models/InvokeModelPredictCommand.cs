using System.Collections;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Data;
using KerasPS.Engine.Data.Images;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Runs a trained model on data (Keras predict) and writes one prediction per row.</para>
/// <para type="description">Data comes as a dataset (-Data), plain arrays (-X), or any objects piped in with -Model named (rows of
/// Import-Csv, hashtables, Get-Process output): their properties are matched by name to the columns the model was trained on, and text
/// columns are one-hot encoded with the training data's categories. Each prediction starts with the row's key: the -IdColumn value of data
/// loaded with Import-ModelData -IdColumn (under that column's name), otherwise Index (0-based row). For a classifier each prediction has
/// the key, Class (the most probable class name), Probability, and one property per class with its probability, so `| Export-Csv` gives a
/// Kaggle-style submission (PowerShell's property names are case-insensitive: a class named like the key, Class or Probability, or like an
/// earlier class but for case, gets _2, _3, ... and a warning says so). For regression it has Index and Value (Value1..ValueN for several
/// outputs). -AsMatrix writes the raw outputs as one float[rows, outputs] array instead. Runs in batches, without gradients. A piped object
/// that cannot be encoded (a missing or non-numeric property) is a non-terminating error with that object as TargetObject; the other
/// objects are still predicted, and Index is each object's position in the input.</para>
/// <para type="description">A model with several inputs reads a dataset loaded with -Inputs, or -X @{ input = rows; ... }. A model with
/// several outputs writes one object per row with the row key and each output's values under the output's name: for a classification
/// output &lt;output&gt;_Class and &lt;output&gt;_Probability, for a regression output &lt;output&gt;_Value (&lt;output&gt;_Value1..N
/// for several values). With -AsMatrix it writes one hashtable: output name to float[rows, values].</para>
/// </summary>
/// <example><code>$model | Invoke-ModelPredict -Data $test | Select-Object -First 5</code></example>
/// <example><code>$p = $model | Invoke-ModelPredict -X @(,@(5.1, 3.5, 1.4, 0.2)) -AsMatrix</code></example>
/// <example><code>Import-Csv ./test.csv | Invoke-ModelPredict -Model $model | Export-Csv submission.csv</code></example>
/// <example><code># a model with outputs 'class' and 'price': class_Class, class_Probability, price_Value per row
/// $model | Invoke-ModelPredict -X @{ numbers = $numbers; text = $codes }
/// ($model | Invoke-ModelPredict -Data $test -AsMatrix).price   # float[rows, 1]</code></example>
/// <example><code>$test = Import-ModelData ./test.csv -IdColumn id -Template $train
/// $model | Invoke-ModelPredict -Data $test -Submission |
/// Export-Csv submission.csv -UseQuotes AsNeeded   # id,Class_1,...,Class_9</code></example>
/// <example><code># Titanic: PassengerId,Survived with 0/1 labels (the model was trained with -Target Survived)
/// $test = Import-ModelData ./test.csv -IdColumn PassengerId -Template $train
/// $model | Invoke-ModelPredict -Data $test -Submission | Export-Csv submission.csv -UseQuotes AsNeeded</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "ModelPredict", DefaultParameterSetName = DataSet)]
[OutputType("KerasPS.Prediction")]
[OutputType(typeof(float[,]))]
[OutputType(typeof(Hashtable))]
public sealed class InvokeModelPredictCommand : ModelDataCommandBase
{

    private const string ObjectSet = "Objects";
    private ObjectDatasetBuilder? rows;
    private List<string>? texts;   // the raw strings of a model that takes text (its first layer encodes them)
    private readonly List<int> kept = new();   // input positions of the rows that were accepted
    private readonly List<string> images = new();   // image files piped in (a model that takes images)
    private int seen;
    private bool renameWarned;

    /// <summary>Objects to predict on, from the pipeline: their properties named like the training data's columns give the
    /// features.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ObjectSet, ValueFromPipeline = true)]
    public PSObject InputObject { get; set; } = null!;

    /// <summary>Rows per forward pass.</summary>
    [Parameter] public int BatchSize { get; set; } = 4096;

    /// <summary>Write Kaggle's submission layout, ready for Export-Csv: the row key (the -IdColumn of Import-ModelData, else Index) and
    /// one probability per class; for a two-class model the key and the predicted class under the target's name (PassengerId,Survived
    /// with 0/1 labels, as Kaggle's binary tasks take them).</summary>
    [Parameter] public SwitchParameter Submission { get; set; }

    /// <summary>With -Submission on a two-class model: the probability of the second class (1, yes, ...) under the target's name
    /// instead of the predicted class, for tasks scored by AUC or log loss.</summary>
    [Parameter] public SwitchParameter SubmitProbability { get; set; }

    /// <summary>Write the raw outputs as one float[rows, outputs] array; for a model with several outputs one hashtable of them by
    /// output name.</summary>
    [Parameter] public SwitchParameter AsMatrix { get; set; }

    protected override void Process()
    {
        if (BatchSize < 1)
            throw KerasException.BadArgument("InvalidBatchSize", $"BatchSize must be 1 or more. Received: {BatchSize}.", BatchSize);
        if (ParameterSetName == ObjectSet && (TextInputs.StringLayer(Model.Engine) is not null || OnlyStringInput() is not null))
        {
            int at = seen++;
            try
            {
                (texts ??= new List<string>()).Add(TextValues.Read(InputObject, TextColumn()));
                kept.Add(at);
            }
            catch (KerasException e)
            {
                WriteInputError(e, InputObject);
            }
            return;
        }
        if (ParameterSetName == ObjectSet)
        {
            if (ImageFileOf(InputObject) is { } image)
            {
                images.Add(image);
                return;
            }
            rows ??= new ObjectDatasetBuilder(null, null, null, new TabularOptions
            {
                SourceColumns = Model.Engine.SourceColumns ?? Model.Engine.FeatureNames,
                Categories = Model.Engine.Categories,
                MissingFills = Model.Engine.MissingFills,
                MissingIndicators = Model.Engine.MissingIndicators,
                FeatureShape = StringColumns() is null ? Model.Engine.InputShape : null,
                ForTrainedModel = true,
                Text = StringColumns(),
            });
            int position = seen++;
            try
            {
                rows.Add(InputObject);
                kept.Add(position);
            }
            catch (KerasException e) when (e.ErrorId is not "TargetNotFound")
            {
                WriteInputError(e, InputObject);   // one bad row: reported, and the other rows are still predicted
            }
            return;
        }
        if (Data?.Stream is { } stream && !(AsMatrix && Data.InMemoryOnDemand)) PredictStream(stream);
        else Predict(GetData(null));
    }

    /// <summary>A streamed dataset, chunk by chunk: predictions are written as each chunk is read, so memory holds one chunk.</summary>
    private void PredictStream(KerasPS.Engine.Data.Streaming.IBatchSource stream)
    {
        if (AsMatrix)
            throw KerasException.BadArgument("StreamNotSupported",
                $"-AsMatrix holds every prediction in one array, but the data is streamed from '{stream.Source}'. Leave out -AsMatrix to "
                    + "write the predictions row by row, or import the file without -Stream.");
        int offset = 0;
        foreach (var chunk in KerasPS.Engine.Data.Streaming.BatchReader.Prefetch(stream, Math.Max(BatchSize, 1024)))
        {
            Predict(chunk, chunk.RowKeys is null ? Enumerable.Range(offset, chunk.Count).ToArray() : null);
            offset += chunk.Count;
        }
    }

    /// <summary>The columns a functional model's string inputs were trained on (kept as text when objects are read), or null.</summary>
    private string[]? StringColumns()
    {
        var m = Model.Engine;
        if (!m.IsFunctional || m.InputColumns is not { } columns || !StringInputs.Any(m)) return null;
        return m.Inputs.Where(t => t.DType == StringInputs.DType && columns.ContainsKey(t.Layer.Name))
            .SelectMany(t => columns[t.Layer.Name]).ToArray();
    }

    /// <summary>The property that holds a text model's text: the one text column it was trained on, else an object's only
    /// property.</summary>
    private string? TextColumn() => OnlyStringInput() is { } input
        ? (Model.Engine.InputColumns?.GetValueOrDefault(input) is [var column] ? column : null)
        : Model.Engine.FeatureNames is [var only] ? only : null;

    /// <summary>The name of a functional model's one input when it takes strings (plain strings and objects predict as for a
    /// Sequential text model), else null.</summary>
    private string? OnlyStringInput() =>
        Model.Engine.IsFunctional && Model.Engine.Inputs is [{ DType: StringInputs.DType } only] ? only.Layer.Name : null;

    /// <summary>
    /// An image file piped to a model that takes images (height, width, channels): a FileInfo or a path string with an
    /// image extension, resolved; null for anything else.
    /// </summary>
    private string? ImageFileOf(PSObject input)
    {
        if (Model.Engine.InputShape is not { Length: 3 } shape || shape[2] is not (1 or 3 or 4)) return null;
        var path = input.BaseObject switch
        {
            FileInfo f => f.FullName,
            string s => s,
            _ => null,
        };
        return path is not null && ImageDecoder.IsImageFile(path) ? ResolveFilePath(path) : null;
    }

    /// <summary>Decodes the piped image files to the model's input size (as Import-ImageData) and predicts them, each keyed by
    /// its path; a file that cannot be decoded is a non-terminating error naming it.</summary>
    private void PredictImages()
    {
        var shape = Model.Engine.InputShape!;
        var options = new ImageLoadOptions(shape[0], shape[1], shape[2]);
        var batch = ImageDecoder.DecodeBatch(images, options);
        foreach (var f in batch.Failures) WriteInputError(KerasException.BadData(f.ErrorId, f.Message, f.Path), f.Path);
        var files = new ImageFileList(images, null, null, 0);
        var good = Enumerable.Range(0, images.Count).Except(batch.Failures.Select(f => f.Index)).ToArray();
        if (good.Length == 0) return;
        var (data, _) = ImageFolder.FromBatch(files, batch, options, good, ImageLabelMode.None, "pipeline");
        Predict(data.WithRowKeys(data.RowKeys!, "Path"));
    }

    protected override void End()
    {
        if (images.Count > 0) PredictImages();
        if (texts is not null && kept.Count > 0)
        {
            Predict(TextInputs.FromStrings(texts, TextColumn() ?? "text"), kept);
            return;
        }
        if (rows is null || kept.Count == 0) return;
        EncodedData data;
        try { data = rows.Build(); }
        catch (KerasException e) when (e.ErrorId == "InvalidFeatureShape")
        {
            throw new KerasException("InputShapeMismatch", ErrorKind.InvalidArgument,
                $"Model '{Model.Name}' expects input {Model.InputShape}, but the piped objects give a different number of features "
                    + $"({e.Message.Split(" but ")[^1].TrimEnd('.')}). Pipe objects with the properties the model was trained on: "
                    + $"{string.Join(", ", Model.Engine.SourceColumns ?? Model.Engine.FeatureNames ?? Array.Empty<string>())}.",
                    e) { Target = Model };
        }
        if (data.InputBlocks is null && Model.Engine.InputColumns is { } inputs)   // objects read into the model's named inputs
            data = DataBlocks.WithInputs(data, inputs.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.ToArray())));
        Predict(data, kept);
    }

    private void Predict(EncodedData data, IReadOnlyList<int>? positions = null)
    {
        var m = Model.Engine;
        if (m.OutputNames.Count > 1)
        {
            PredictOutputs(data, positions);
            return;
        }
        var raw = data.InputBlocks is null && m.InputNames.Count == 1
            ? m.PredictData(data, BatchSize)
            : m.PredictAll(data, BatchSize)[0].Values;
        int rowCount = data.Count;
        int perRow = raw.Length / Math.Max(rowCount, 1);
        if (AsMatrix)
        {
            var matrix = new float[rowCount, perRow];
            Buffer.BlockCopy(raw, 0, matrix, 0, raw.Length * sizeof(float));
            WriteObject(matrix);
            return;
        }
        if (Submission && m.Classes is { Count: 2 } two && perRow is 1 or 2)
        {
            foreach (var o in PredictionView.BinarySubmissionRows(two, raw, rowCount, perRow, m.TargetName ?? "Class", SubmitProbability,
                data.RowKeys, data.RowKeyName, data.RowKeys is null ? positions?.ToArray() : null)) WriteObject(o);
            return;
        }
        if (!renameWarned && PredictionView.RenamedClassesWarning(m.Classes, data.RowKeys, data.RowKeyName, Submission) is { } warning)
        {
            WriteWarning(warning);
            renameWarned = true;   // once, not once per chunk of a streamed dataset
        }
        foreach (var o in PredictionView.Rows(m.Classes, raw, rowCount, perRow, data.RowKeys, data.RowKeyName, Submission,
            data.RowKeys is null ? positions?.ToArray() : null)) WriteObject(o);
    }

    /// <summary>Keras's predict on a model with several outputs: per row, each output's values under its name.</summary>
    private void PredictOutputs(EncodedData data, IReadOnlyList<int>? positions)
    {
        var m = Model.Engine;
        var outputs = m.PredictAll(data, BatchSize);
        int rowCount = data.Count;
        if (AsMatrix)
        {
            var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values, width) in outputs)
            {
                var matrix = new float[rowCount, width];
                Buffer.BlockCopy(values, 0, matrix, 0, values.Length * sizeof(float));
                table[name] = matrix;
            }
            WriteObject(table);
            return;
        }
        var keyName = data.RowKeyName ?? "Id";
        for (int r = 0; r < rowCount; r++)
        {
            var o = new PSObject();
            o.TypeNames.Insert(0, PredictionView.TypeName);
            int row = data.RowKeys is null ? positions?[r] ?? r : r;
            if (data.RowKeys is not null) o.Properties.Add(new PSNoteProperty(keyName, data.RowKeys[row]));
            else o.Properties.Add(new PSNoteProperty("Index", row));
            foreach (var (name, values, width) in outputs)
            {
                int off = r * width;
                var classes = m.OutputClasses?.GetValueOrDefault(name);
                if (classes is not null && (width == classes.Count || (width == 1 && classes.Count == 2)))
                {
                    int best = 0;
                    double p;
                    if (width == 1) { p = values[off]; best = p > 0.5 ? 1 : 0; p = best == 1 ? p : 1 - p; }
                    else
                    {
                        for (int k = 1; k < width; k++) if (values[off + k] > values[off + best]) best = k;
                        p = values[off + best];
                    }
                    o.Properties.Add(new PSNoteProperty($"{name}_Class", classes[best]));
                    o.Properties.Add(new PSNoteProperty($"{name}_Probability", p));
                }
                else if (width == 1) o.Properties.Add(new PSNoteProperty($"{name}_Value", (double)values[off]));
                else for (int k = 0; k < width; k++) o.Properties.Add(new PSNoteProperty($"{name}_Value{k + 1}", (double)values[off + k]));
            }
            WriteObject(o);
        }
    }
}
