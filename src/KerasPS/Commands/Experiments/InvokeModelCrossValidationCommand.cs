using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Data;
using KerasPS.Engine.Sweeps;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Experiments;

/// <summary>
/// <para type="synopsis">Cross-validates a model (k-fold, optionally stratified and repeated): trains a fresh model per fold, in parallel
/// runspaces or on remote hosts, and writes one KerasPS.CrossValidationFold per fold as it finishes, then one
/// KerasPS.CrossValidationSummary.</para>
/// <para type="description">-ModelScript is called once per fold with the parameters (-Parameters, as $p) and that fold's training part (a
/// KerasPS.Dataset, as $train), and returns a compiled model; build everything that learns from data inside it (Add-NormalizationLayer
/// -Adapt $train), so nothing, weights or statistics, leaks from a fold's held-out rows into its model. Each fold trains with
/// Invoke-ModelFit semantics and is validated on its held-out rows after every epoch, so val_loss and val_* are the fold's honest scores;
/// -Callbacks returns each fold's callbacks (New-EarlyStopping watches the fold's validation part).</para>
/// <para type="description">The folds come from -Seed alone, and each fold's training seed from the seed and the fold number, so the folds
/// and their scores are the same whatever -ThrottleLimit or host runs them. The summary has the mean and the standard deviation
/// (population) over the folds of the best monitored value (Mean, Std) and of every history value at each fold's best epoch (Metrics), and
/// per epoch (Records and StdRecords) for Show-History and Export-HistoryPlot, which draw the fold curves with their mean when given the
/// folds and the summary. -OutOfFold adds each row's prediction from the fold model that did not train on it, in row order (averaged over
/// -Repeats), for stacking and error analysis.</para>
/// </summary>
/// <example><code>$cv = Invoke-ModelCrossValidation -Data $train -Folds 5 -Stratify -ModelScript {
///     param($p, $train)
///     New-Model | Add-NormalizationLayer -Adapt $train | Add-DenseLayer 64 -Activation relu | Add-DenseLayer 9 -Activation softmax |
///         Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
/// } -Epochs 20 -BatchSize 128 -Seed 1 -ThrottleLimit 2
/// $cv[-1].Metrics | Format-Table Metric, Mean, Std</code></example>
/// <example><code>$callbacks = { New-EarlyStopping -Patience 3 -RestoreBestWeights }
/// $cv = Invoke-ModelCrossValidation -Data $train -Folds 5 -ModelScript $build -Callbacks $callbacks -Epochs 50
/// $cv | Show-History -Metric val_loss</code></example>
/// <example><code>$cv = Invoke-ModelCrossValidation -Data $train -Folds 5 -ModelScript $build -OutOfFold -Seed 7
/// $oof = $cv[-1].OutOfFold</code></example>
/// <example><code>$remote = @{ HostName = 'gpu1', 'gpu2'; UserName = 'ml'; ModulePath = '/opt/KerasPS/KerasPS.psd1' }
/// Invoke-ModelCrossValidation -Data $train -Folds 10 -ModelScript $build @remote</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "ModelCrossValidation", DefaultParameterSetName = LocalSet)]
[OutputType(typeof(CrossValidationFold), typeof(CrossValidationSummary))]
public sealed class InvokeModelCrossValidationCommand : TrialCommandBase
{
    /// <summary>Builds one fold's model: param($p, $train) ... returns a compiled model ($train is the fold's training part).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public ScriptBlock ModelScript { get; set; } = null!;

    /// <summary>Number of folds (k): each row is held out once per repeat.</summary>
    [Parameter]
    [ValidateRange(2, 1000)]
    public int Folds { get; set; } = 5;

    /// <summary>Keep each class's share in every fold, within one row (stratified k-fold).</summary>
    [Parameter] public SwitchParameter Stratify { get; set; }

    /// <summary>Repeat the whole k-fold split this many times with different shuffles (repeated k-fold).</summary>
    [Parameter]
    [ValidateRange(1, 100)]
    public int Repeats { get; set; } = 1;

    /// <summary>Values handed to -ModelScript and -Callbacks as $p (fixed hyperparameters).</summary>
    [Parameter] public IDictionary? Parameters { get; set; }

    /// <summary>Also return each row's out-of-fold prediction, in the summary's OutOfFold.</summary>
    [Parameter] public SwitchParameter OutOfFold { get; set; }

    protected override void Process()
    {
        CheckFitSettings();
        var monitor = new TrialMonitor(Monitor ?? "val_loss");
        long seed = Seed ?? MersenneTwister.RandomSeed();
        var folds = FoldSplitter.Split(Data.Engine, Folds, Stratify, Repeats, seed);
        var parameters = (Parameters?.Cast<DictionaryEntry>() ?? Enumerable.Empty<DictionaryEntry>())
            .Select(e => new KeyValuePair<string, object?>(Convert.ToString(PSValue.Unwrap(e.Key), CultureInfo.InvariantCulture)!,
                PSValue.Unwrap(e.Value)))
            .ToList();
        var requests = folds.Select((f, i) => new TrialRequest(1, parameters, SweepPlan.TrialSeed(seed, i + 1), Epochs)
        {
            Fold = f.Number, Repeat = f.Repeat, TrainRows = f.TrainRows, ValidationRows = f.TestRows, Predict = OutOfFold,
        }).ToList();
        var byRequest = requests.Zip(folds).ToDictionary(p => p.First, p => p.Second);

        var clock = Stopwatch.StartNew();
        var results = new List<CrossValidationFold>();
        float[]? oof = null;
        int width = 0;
        var oofCount = new int[Data.Count];
        bool showProgress = ProgressWanted();
        WriteVerbose($"{Folds}-fold cross-validation{(Repeats > 1 ? $" x {Repeats}" : "")} of {Data.Count} rows (seed {seed}), "
            + $"monitoring {monitor.Name} ({monitor.Mode}).");

        void Emit(CrossValidationFold r)
        {
            results.Add(r);
            WriteVerbose(r.ToString() + (r.Error is null ? "" : $" - {r.ErrorId}: {r.Error}"));
            WriteObject(r.ToPSObject());
            if (showProgress)
                WriteProgress(new ProgressRecord(3, "Cross-validation", $"{results.Count} of {requests.Count} folds done")
                { PercentComplete = (int)(100L * results.Count / requests.Count) });
        }

        try
        {
            RunTrials(Settings(ModelScript.ToString(), monitor.Name), requests, "folds",
                done: (t, w, outcome) =>
                {
                    var fold = byRequest[t];
                    var r = new CrossValidationFold(fold.Number, fold.Repeat, fold.TestRows.Length, fold.TrainRows.Length, t.Seed,
                        monitor.Name)
                    {
                        Host = w.Host, Attempts = t.Attempts, Records = outcome.Records, Duration = outcome.Duration,
                        ValidationRows = fold.TestRows,
                    };
                    if (monitor.Best(r.Records) is var (best, epoch))
                    {
                        r.Best = best; r.BestEpoch = epoch;
                        var at = r.Records.First(x => x.Epoch == epoch);
                        foreach (var kv in at.Values) r.Metrics[kv.Key] = kv.Value;
                    }
                    if (outcome.Failure(monitor) is var (id, message)) { r.ErrorId = id; r.Error = message; }
                    else r.Status = "Completed";
                    if (OutOfFold && outcome.Predictions is { } p && r.Status == "Completed")
                    {
                        width = outcome.PredictionWidth;
                        oof ??= new float[(long)Data.Count * width];
                        for (int i = 0; i < fold.TestRows.Length; i++)
                        {
                            int row = fold.TestRows[i];
                            for (int k = 0; k < width; k++) oof[(long)row * width + k] += p[(long)i * width + k];
                            oofCount[row]++;
                        }
                    }
                    Emit(r);
                },
                noHost: t =>
                {
                    var fold = byRequest[t];
                    Emit(new CrossValidationFold(fold.Number, fold.Repeat, fold.TestRows.Length, fold.TrainRows.Length, t.Seed,
                        monitor.Name)
                    {
                        Attempts = t.Attempts, Host = string.Join(", ", t.LostHosts), ErrorId = "NoSweepHostLeft",
                        ValidationRows = fold.TestRows,
                        Error = $"Every host dropped out before fold {fold.Number} could finish. "
                            + "Check the hosts and run the cross-validation again.",
                    });
                });
        }
        finally
        {
            if (showProgress)
                WriteProgress(new ProgressRecord(3, "Cross-validation", "Done") { RecordType = ProgressRecordType.Completed });
        }
        WriteObject(Summary(results, monitor, seed, clock.Elapsed, oof, width, oofCount).ToPSObject());
    }

    private CrossValidationSummary Summary(List<CrossValidationFold> results, TrialMonitor monitor, long seed, TimeSpan duration,
        float[]? oof, int width, int[] oofCount)
    {
        var done = results.Where(r => r.Status == "Completed").OrderBy(r => r.Repeat).ThenBy(r => r.Fold).ToList();
        var s = new CrossValidationSummary(monitor.Name, Folds, Repeats, seed, Stratify) { Completed = done.Count, Duration = duration };
        if (done.Count == 0) return s;
        (s.Mean, s.Std) = FoldStatistics.MeanStd(done.Select(r => r.Best!.Value).ToList());
        var names = done[0].Metrics.Keys.Cast<string>().Where(k => done.All(r => r.Metrics.Contains(k)));
        s.Metrics = names.Select(k =>
        {
            var values = done.Select(r => (double)r.Metrics[k]!).ToArray();
            var (mean, std) = FoldStatistics.MeanStd(values);
            return new FoldMetric(k, mean, std, values);
        }).ToArray();
        var histories = done.Select(r => r.Records).ToList();
        s.Records = FoldStatistics.PerEpoch(histories);
        s.StdRecords = FoldStatistics.PerEpoch(histories, std: true);
        if (oof is not null && oofCount.All(c => c > 0))
        {
            for (int row = 0; row < oofCount.Length; row++)
                for (int k = 0; k < width; k++) oof[(long)row * width + k] /= oofCount[row];
            var d = Data.Engine;
            s.OutOfFold = PredictionView.Rows(d.Classes, oof, d.Count, width, d.RowKeys, d.RowKeyName).ToArray();
        }
        else if (oof is not null)
            WriteWarning("Some folds failed, so not every row has an out-of-fold prediction; OutOfFold is left empty.");
        return s;
    }
}
