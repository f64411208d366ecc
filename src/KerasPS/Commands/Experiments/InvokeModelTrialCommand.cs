using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Runtime.InteropServices;
using KerasPS.Engine;
using KerasPS.Engine.Sweeps;
using KerasPS.Engine.Training;
using KerasPS.Engine.Training.Callbacks;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Experiments;

/// <summary>
/// <para type="synopsis">Plumbing, not exported: runs one trial where it is called and returns the outcome as plain data (a hashtable).
/// Invoke-ModelSweep and Invoke-ModelCrossValidation run every trial and fold through it, in local runspaces and on remote hosts
/// alike.</para>
/// <para type="description">The manifest does not export it, so it is not part of the user's surface (no README row, no Get-Command -Module
/// KerasPS entry). Local worker runspaces get it in their session state; a remote host that has imported KerasPS reaches it in the module's
/// own scope: <c>&amp; (Get-Module KerasPS) { param($a) Invoke-ModelTrial @a } $a</c>. Its reply is a wire format between two copies of
/// this module and may change with any version.</para>
/// <para type="description">-ModelScript is called with two arguments, the trial's parameters (a hashtable) and the training part (a
/// KerasPS.Dataset), and must end with a compiled model; an unseeded model that has not trained gets -Seed, so its initial weights are
/// reproducible. The model trains on -Data (or its -TrainRows) with Invoke-ModelFit semantics and is validated on -ValidationData or on
/// -ValidationRows of -Data. Nothing leaks between trials: the model, its statistics (Add-NormalizationLayer -Adapt learns from the
/// training part handed to the script) and the callbacks that -CallbackScript returns are new each time.</para>
/// <para type="description">The reply has History (one hashtable per epoch), DurationTicks, and on failure ErrorId and Error (the trial
/// does not throw: a failed trial is an outcome). -Predict adds Predictions: the model's outputs on the validation rows as base64 float32,
/// PredictionWidth values per row. -ReturnCheckpoint adds Checkpoint: the best model by -Monitor as base64 bytes. Data may come as a
/// KerasPS.Dataset or in the plain form a remote caller sends; a remote caller sends each dataset once per host and then only its
/// Id.</para>
/// </summary>
/// <example><code>$script = 'param($p, $train) New-Model | Add-DenseLayer -Units $p.Units -Activation relu |
///     Add-DenseLayer -Units 3 -Activation softmax | Build-Model adam categorical_crossentropy'
/// $trial = @{ ModelScript = $script; Parameters = @{ Units = 16 }; Data = $iris
///     TrainRows = 0..99; ValidationRows = 100..149; Epochs = 5; Seed = 1 }
/// $reply = &amp; (Get-Module KerasPS) { param($a) Invoke-ModelTrial @a } $trial
/// $reply.History[-1].Values.val_loss</code></example>
/// <example><code>Invoke-ModelTrial -ModelScript $script -Parameters @{ Units = 32 } -Data $train -MaxDuration 30</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "ModelTrial")]
[OutputType(typeof(Hashtable))]
public sealed class InvokeModelTrialCommand : KerasCmdlet
{
    private CancellationTokenSource? stop;

    /// <summary>Builds the model: param($p, $train) ... ends with a compiled model. Script text or a script block.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string ModelScript { get; set; } = null!;

    /// <summary>The trial's parameter values, handed to -ModelScript and -CallbackScript as $p.</summary>
    [Parameter] public IDictionary? Parameters { get; set; }

    /// <summary>Training seed (shuffling, dropout, and the initial weights of an unseeded model).</summary>
    [Parameter(Mandatory = true)] public long Seed { get; set; }

    /// <summary>The data: a KerasPS.Dataset, or the plain form a remote caller sends (or just its Id once this host has it).</summary>
    [Parameter(Mandatory = true)] public object Data { get; set; } = null!;

    /// <summary>Rows of -Data to train on (default: every row).</summary>
    [Parameter] public int[]? TrainRows { get; set; }

    /// <summary>Rows of -Data to validate on (a cross-validation fold's held-out part).</summary>
    [Parameter] public int[]? ValidationRows { get; set; }

    /// <summary>Separate validation data (a Dataset or its plain form), instead of -ValidationRows.</summary>
    [Parameter] public object? ValidationData { get; set; }

    /// <summary>Fraction of the training rows held out for validation (the last rows), as Invoke-ModelFit -ValidationSplit.</summary>
    [Parameter] public double ValidationSplit { get; set; }

    /// <summary>Total epochs to train (a scheduler may give each trial its own budget).</summary>
    [Parameter] public int Epochs { get; set; } = 10;

    /// <summary>Rows per gradient step.</summary>
    [Parameter] public int BatchSize { get; set; } = FitOptions.DefaultBatchSize;

    /// <summary>Shuffle the training rows each epoch (on by default; -Shuffle:$false turns it off).</summary>
    [Parameter] public SwitchParameter Shuffle { get; set; } = true;

    /// <summary>Stop cleanly before this much time has passed. Seconds when a number (60, 0.5), or a number with a unit (90s, 5m, 2h)
    /// or a TimeSpan (00:05:00).</summary>
    [Parameter, DurationTransformation] public TimeSpan? MaxDuration { get; set; }

    /// <summary>libtorch intra-op threads for the fit (default: the module setting).</summary>
    [Parameter] public int? Threads { get; set; }

    /// <summary>Returns the trial's callbacks: param($p) New-EarlyStopping ... (script text or a script block). Called once per
    /// trial.</summary>
    [Parameter] public string? CallbackScript { get; set; }

    /// <summary>History value that decides the best model kept by -CheckpointPath or -ReturnCheckpoint.</summary>
    [Parameter] public string Monitor { get; set; } = "val_loss";

    /// <summary>Keep the best model by -Monitor in this file (Keras ModelCheckpoint, save_best_only).</summary>
    [Parameter] public string? CheckpointPath { get; set; }

    /// <summary>Keep the best model in a temporary file and return its bytes in the reply (for a caller on another host).</summary>
    [Parameter] public SwitchParameter ReturnCheckpoint { get; set; }

    /// <summary>Return the trained model's outputs on the validation rows (out-of-fold predictions).</summary>
    [Parameter] public SwitchParameter Predict { get; set; }

    /// <summary>Per-epoch thresholds of -Monitor (Invoke-ModelSweep -Prune Median): the trial stops after epoch e when its best value so
    /// far is worse than element e-1 (NaN: no threshold there). The reply then has PrunedAtEpoch.</summary>
    [Parameter] public double[]? PruneThresholds { get; set; }

    /// <summary>Called as each epoch ends with the epoch and its -Monitor value; true prunes the trial there (a study worker reports
    /// to its database through it). The reply then has PrunedAtEpoch. Local workers of this process only.</summary>
    [Parameter] public Func<int, double, bool>? EpochReport { get; set; }

    protected override void Process()
    {
        var clock = Stopwatch.StartNew();
        var reply = new Hashtable();
        Model? built = null;
        string? staging = null;
        try
        {
            var data = SweepWire.Resolve(Data);
            var train = TrainRows is null ? data : new Dataset(data.Engine.Subset(TrainRows));
            Dataset? validation = ValidationRows is not null ? new Dataset(data.Engine.Subset(ValidationRows))
                : ValidationData is not null ? SweepWire.Resolve(ValidationData) : null;
            var p = new Hashtable(StringComparer.OrdinalIgnoreCase);
            if (Parameters is not null) foreach (DictionaryEntry e in Parameters)
                p[Convert.ToString(PSValue.Unwrap(e.Key), System.Globalization.CultureInfo.InvariantCulture)!] = PSValue.Unwrap(e.Value);

            built = Run(ModelScript, p, train).Select(o => o?.BaseObject).OfType<Model>().LastOrDefault();
            if (built is null)
                throw KerasException.BadOperation("ModelScriptReturnedNoModel",
                    "-ModelScript returned no model. End it with the model, e.g. "
                    + "{ param($p, $train) New-Model | Add-DenseLayer -Units $p.Units ... | Build-Model sgd categorical_crossentropy }.");
            // An unseeded, untrained model gets the trial seed (Reseed redraws any weights already built), so its initial
            // weights too are reproducible per trial; a script that seeds New-Model keeps its own seed.
            if (built.Engine.Seed is null && built.Engine.EpochsTrained == 0) built.Engine.Reseed(Seed);

            var callbacks = new List<Callback>();
            if (CallbackScript is not null)
                foreach (var o in Run(CallbackScript, p, train).Select(o => o?.BaseObject))
                    callbacks.Add(CallbackInput.ToCallback(o, "-Callbacks must return objects from"));
            if (ReturnCheckpoint) CheckpointPath = staging = Path.Combine(Path.GetTempPath(), $"kerasps-trial-{Guid.NewGuid():n}.kpt");
            if (CheckpointPath is not null) callbacks.Add(new ModelCheckpoint(CheckpointPath, Monitor, saveBestOnly: true));
            ThresholdStopping? pruner = null;
            if (PruneThresholds is { Length: > 0 })
                callbacks.Add(pruner = new ThresholdStopping(Monitor, new TrialMonitor(Monitor).HigherIsBetter, PruneThresholds));
            ReportedStopping? reported = null;
            if (EpochReport is not null) callbacks.Add(reported = new ReportedStopping(Monitor, EpochReport));

            using var cts = new CancellationTokenSource();
            stop = cts;
            var options = new FitOptions
            {
                Epochs = Epochs,
                BatchSize = BatchSize,
                Shuffle = Shuffle.IsPresent,
                Seed = Seed,
                ValidationData = validation?.Engine,
                ValidationSplit = ValidationSplit,
                Callbacks = callbacks,
                MaxDuration = MaxDuration,
                Threads = Threads ?? ModuleSettings.Threads,
                Log = WriteVerbose,
                Warn = WriteWarning,
                Cancellation = cts.Token,
            };
            try { foreach (var _ in Trainer.Fit(built.Engine, train.Engine, options)) { } }
            finally { stop = null; }
            if (pruner is { StoppedEpoch: > 0 }) reply["PrunedAtEpoch"] = pruner.StoppedEpoch;
            else if (reported is { StoppedEpoch: > 0 }) reply["PrunedAtEpoch"] = reported.StoppedEpoch;

            if (Predict && validation is not null)
            {
                var raw = built.Engine.PredictData(validation.Engine);
                reply["Predictions"] = Convert.ToBase64String(MemoryMarshal.AsBytes(raw.AsSpan()));
                reply["PredictionWidth"] = raw.Length / Math.Max(1, validation.Count);
            }
            if (staging is not null && File.Exists(staging)) reply["Checkpoint"] = Convert.ToBase64String(File.ReadAllBytes(staging));
        }
        catch (Exception e) when (e is KerasException or RuntimeException)
        {
            // A failed trial is an outcome to report, not an error of the caller's pipeline.
            reply["ErrorId"] = e switch
            {
                KerasException k => k.ErrorId,
                IContainsErrorRecord { ErrorRecord: { } er } when er.Exception is KerasException k => k.ErrorId,
                IContainsErrorRecord { ErrorRecord: { } er } when er.FullyQualifiedErrorId.Contains(',') =>
                    er.FullyQualifiedErrorId.Split(',')[0],
                _ => "TrialScriptFailed",
            };
            reply["Error"] = e.Message + CallerVariableHint(ModelScript, CallbackScript);
        }
        finally
        {
            // A scanner may still hold the fresh file on Windows: wait it out, and never let cleanup hide the reply.
            if (staging is not null && File.Exists(staging))
            {
                try { FileReplace.Delete(staging); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
        reply["History"] = built is null ? Array.Empty<object>() : SweepWire.HistoryToWire(built.Engine.History);
        reply["DurationTicks"] = clock.Elapsed.Ticks;
        WriteObject(reply);
    }

    protected override void StopProcessing() => stop?.Cancel();

    private static readonly HashSet<string> AutomaticVariables = new(StringComparer.OrdinalIgnoreCase)
    {
        "_", "PSItem", "args", "input", "this", "true", "false", "null", "p", "train", "ErrorActionPreference",
        "ProgressPreference", "VerbosePreference", "WarningPreference", "PSScriptRoot", "PSCommandPath", "Error", "Host",
        "PWD", "HOME", "PID", "IsLinux", "IsWindows", "IsMacOS", "PSVersionTable", "LASTEXITCODE", "Matches", "env",
    };

    /// <summary>
    /// The likely cause when a trial script fails: it reads variables it never sets, which in the caller's script had values
    /// but are $null here, since each trial runs the script in a runspace of its own (maybe on another host).
    /// </summary>
    private static string CallerVariableHint(params string?[] scripts)
    {
        var free = new List<string>();
        foreach (var script in scripts)
        {
            if (script is null) continue;
            var ast = System.Management.Automation.Language.Parser.ParseInput(script, out _, out _);
            var set = ast.FindAll(a => a is System.Management.Automation.Language.AssignmentStatementAst, true)
                .Cast<System.Management.Automation.Language.AssignmentStatementAst>()
                .SelectMany(a => a.Left.FindAll(v => v is System.Management.Automation.Language.VariableExpressionAst, true))
                .Concat(ast.FindAll(a => a is System.Management.Automation.Language.ParameterAst, true)
                    .Select(a => ((System.Management.Automation.Language.ParameterAst)a).Name))
                .Concat(ast.FindAll(a => a is System.Management.Automation.Language.ForEachStatementAst, true)
                    .Select(a => ((System.Management.Automation.Language.ForEachStatementAst)a).Variable))
                .Cast<System.Management.Automation.Language.VariableExpressionAst>()
                .Select(v => v.VariablePath.UserPath).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var v in ast.FindAll(a => a is System.Management.Automation.Language.VariableExpressionAst, true)
                .Cast<System.Management.Automation.Language.VariableExpressionAst>())
            {
                var path = v.VariablePath;
                if (!path.IsUnqualified && !path.IsScript && !path.IsGlobal) continue;
                var name = path.UserPath[(path.UserPath.IndexOf(':') + 1)..];
                if (!AutomaticVariables.Contains(name) && !set.Contains(name) && !free.Contains(name, StringComparer.OrdinalIgnoreCase))
                    free.Add(name);
            }
        }
        if (free.Count == 0) return "";
        var list = string.Join(", ", free.Select(n => "$" + n));
        return $" The script reads {list}, which it never sets: each trial runs it in a runspace of its own, where "
            + $"{(free.Count == 1 ? "that variable is" : "those variables are")} $null. Pass values through -Parameters "
            + $"(@{{ {free[0]} = ... }}) and read them from $p ($p.{free[0]}).";
    }

    /// <summary>Runs the user's script in this runspace with errors as exceptions, as a script run with -ErrorAction Stop.</summary>
    private static IEnumerable<PSObject?> Run(string script, Hashtable p, Dataset train) =>
        ScriptBlock.Create(script).InvokeWithContext(null,
            new List<PSVariable>
            {
                new("ErrorActionPreference", ActionPreference.Stop), new("ProgressPreference", ActionPreference.SilentlyContinue)
            },
            p, train);
}
