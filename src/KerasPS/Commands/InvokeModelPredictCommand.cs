using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Infrastructure;
using EngineDataset = KerasPS.Engine.Data.Dataset;

namespace KerasPS.Commands;

/// <summary>
/// <para type="synopsis">Runs a trained model on data (Keras predict) and writes one prediction per row.</para>
/// <para type="description">For a classifier each prediction has Index, Class (the most probable class name), Probability, and one property per class with its probability, so `| Export-Csv` gives a Kaggle-style submission. For regression it has Index and Value (Value1..ValueN for several outputs). -AsMatrix writes the raw outputs as one float[rows, outputs] array instead. Runs in batches, without gradients.</para>
/// </summary>
/// <example><code>$model | Invoke-ModelPredict -Data $test | Select-Object -First 5</code></example>
/// <example><code>$p = $model | Invoke-ModelPredict -X @(,@(5.1, 3.5, 1.4, 0.2)) -AsMatrix</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "ModelPredict", DefaultParameterSetName = DataSet)]
[OutputType("KerasPS.Prediction")]
[OutputType(typeof(float[,]))]
public sealed class InvokeModelPredictCommand : KerasCmdlet
{
    private const string DataSet = "Data";
    private const string ArraySet = "Arrays";

    /// <summary>The model, usually piped from New-Model, an Add-*Layer cmdlet or Build-Model.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>Data to predict on; its target, if any, is ignored.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DataSet, Position = 0)]
    public Dataset Data { get; set; } = null!;

    /// <summary>Features as rows of numbers.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ArraySet)]
    public object X { get; set; } = null!;

    /// <summary>Rows per forward pass.</summary>
    [Parameter] public int BatchSize { get; set; } = 4096;

    /// <summary>Write the raw outputs as one float[rows, outputs] array.</summary>
    [Parameter] public SwitchParameter AsMatrix { get; set; }

    protected override void Process()
    {
        if (BatchSize < 1) throw KerasException.BadArgument("InvalidBatchSize", $"BatchSize must be 1 or more. Received: {BatchSize}.", BatchSize);
        EngineDataset data = ParameterSetName == ArraySet ? ArrayInput.FromArrays(X, null) : Data.Engine;
        var m = Model.Engine;
        var raw = m.Predict(data.FeatureTensor(), BatchSize);
        int width = m.OutputShape![^1];
        int rows = data.Count;
        int perRow = raw.Length / Math.Max(rows, 1);
        if (AsMatrix)
        {
            var matrix = new float[rows, perRow];
            Buffer.BlockCopy(raw, 0, matrix, 0, raw.Length * sizeof(float));
            WriteObject(matrix);
            return;
        }
        WriteRows(m.Classes, raw, rows, perRow);
    }

    private void WriteRows(IReadOnlyList<string>? classes, float[] raw, int rows, int perRow)
    {
        bool classifier = classes is not null && (perRow == classes.Count || (perRow == 1 && classes.Count == 2));
        var names = classifier ? classes!.Select(c => c).ToArray() : null;
        for (int r = 0; r < rows; r++)
        {
            var o = new PSObject();
            o.TypeNames.Insert(0, "KerasPS.Prediction");
            o.Properties.Add(new PSNoteProperty("Index", r));
            int off = r * perRow;
            if (classifier)
            {
                var probs = new double[names!.Length];
                if (perRow == 1) { probs[1] = raw[off]; probs[0] = 1 - raw[off]; }
                else for (int k = 0; k < perRow; k++) probs[k] = raw[off + k];
                int best = 0;
                for (int k = 1; k < probs.Length; k++) if (probs[k] > probs[best]) best = k;
                o.Properties.Add(new PSNoteProperty("Class", names[best]));
                o.Properties.Add(new PSNoteProperty("Probability", probs[best]));
                for (int k = 0; k < probs.Length; k++) o.Properties.Add(new PSNoteProperty(names[k], probs[k]));
            }
            else if (perRow == 1) o.Properties.Add(new PSNoteProperty("Value", (double)raw[off]));
            else for (int k = 0; k < perRow; k++) o.Properties.Add(new PSNoteProperty($"Value{k + 1}", (double)raw[off + k]));
            WriteObject(o);
        }
    }
}
