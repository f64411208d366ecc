using System.Collections;
using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine.Data;
using KerasPS.Engine.Training;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Trains a model (Keras fit) and writes one history record per epoch as each epoch finishes.</para>
/// <para type="description">Records stream out while training runs, so `| Where-Object`, `| Export-Csv` and `| Select-Object -First 3` work
/// on live training; stopping the pipeline (Ctrl+C, Select-Object -First) stops training within one batch and leaves the model with the
/// weights of the last completed step. -Epochs counts as in Keras's fit(epochs): every fit trains -Epochs more epochs (after
/// Import-Checkpoint too), and the history's epoch numbers keep counting up; with -InitialEpoch, -Epochs is the epoch to stop after,
/// and -Resume continues an interrupted fit to the total it was started with. A Keras-style line per epoch goes to the verbose
/// stream; batch progress to Write-Progress (not in non-interactive hosts).</para>
/// <para type="description">A streamed dataset (Import-ModelData -Stream) is read from its file each epoch, batch by batch through its
/// shuffle buffer, so memory holds the buffer and one batch, not the data; -ValidationData may be streamed too. -ValidationSplit,
/// -SampleWeight and -ClassWeight need the rows in memory and refuse a stream (StreamNotSupported).</para>
/// </summary>
/// <example><code>$model | Invoke-ModelFit -Data $train -ValidationData $test -Epochs 20 -BatchSize 128 |
///     Export-Csv history.csv</code></example>
/// <example><code>$model | Invoke-ModelFit -X $x -Y $y -Epochs 5 -Seed 1 -Verbose</code></example>
/// <example><code># a model with inputs 'numbers' and 'text' and outputs 'class' and 'price'
/// $model | Invoke-ModelFit -X @{ numbers = $numbers; text = $codes } -Y @{ class = $labels; price = $prices } -Epochs 10</code></example>
/// <example><code># a file larger than memory, read in batches each epoch
/// $train = Import-ModelData ./big.csv -Target y -Stream -ShuffleBuffer 20000
/// $model | Invoke-ModelFit -Data $train -Epochs 5 -BatchSize 256 -Seed 1</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "ModelFit", DefaultParameterSetName = DataSet)]
[OutputType("KerasPS.EpochRecord")]
public sealed class InvokeModelFitCommand : ModelDataCommandBase
{
    private CancellationTokenSource? stop;

    /// <summary>Targets: class labels (strings or class ids), numbers, or rows of numbers (one-hot or regression); for a model with
    /// several outputs a hashtable of them by output name (@{ class = $labels; price = $prices }).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ArraySet)]
    public object Y { get; set; } = null!;

    /// <summary>Epochs to train in this fit, as Keras's fit(epochs): a second fit trains this many more (a model with 27 epochs trained
    /// goes on to 30 with -Epochs 3). With -InitialEpoch it is the epoch to stop after (Keras's fit(epochs, initial_epoch)).</summary>
    [Parameter] public int Epochs { get; set; } = 1;

    /// <summary>Rows per gradient step (default 32, as Keras).</summary>
    [Parameter] public int BatchSize { get; set; } = 32;

    /// <summary>Shuffle the training rows each epoch (on by default; -Shuffle:$false turns it off).</summary>
    [Parameter] public SwitchParameter Shuffle { get; set; }

    /// <summary>Seed for shuffling, dropout and (for an unbuilt model) weights; a seeded fit is reproducible bit for bit on the same
    /// machine.</summary>
    [Parameter] public long? Seed { get; set; }

    /// <summary>Data to compute val_loss and val_* metrics on after each epoch, without gradients.</summary>
    [Parameter] public Dataset? ValidationData { get; set; }

    /// <summary>Fraction of the data held out for validation: the last rows, taken before shuffling (Keras).</summary>
    [Parameter] public double ValidationSplit { get; set; }

    /// <summary>Loss weight per class: @{ Class_1 = 2.0; Class_2 = 0.5 } (class names or indices).</summary>
    [Parameter] public Hashtable? ClassWeight { get; set; }

    /// <summary>Loss weight per training row.</summary>
    [Parameter] public double[]? SampleWeight { get; set; }

    /// <summary>Epoch to start at (0-based, Keras's initial_epoch); -Epochs is then the epoch to stop after, so -InitialEpoch 10 -Epochs
    /// 15 trains epochs 11 to 15. By default training starts after the epochs the model has already trained.</summary>
    [Parameter] public int? InitialEpoch { get; set; }

    /// <summary>Callbacks: New-EarlyStopping, New-ModelCheckpoint, New-ReduceLROnPlateau, New-LearningRateScheduler, New-TerminateOnNaN,
    /// New-TensorBoardLogger, New-LambdaCallback.</summary>
    [Parameter] public object[]? Callbacks { get; set; }

    /// <summary>Stop cleanly before this much time has passed (runbooks have hard limits); a warning says where it stopped. Seconds when a
    /// number (60, 0.5), or a number with a unit (90s, 5m, 2h) or a TimeSpan (00:05:00).</summary>
    [Parameter, DurationTransformation] public TimeSpan? MaxDuration { get; set; }

    /// <summary>libtorch intra-op threads for this fit (default: the module setting, see Set-KerasOption). A model whose steps
    /// are small (any layer kind; about_KerasPS, THREADS) trains on one thread, which is faster for it; -Verbose says so.</summary>
    [Parameter] public int? Threads { get; set; }

    /// <summary>A checkpoint to continue from: when the file exists, the model takes its weights, optimizer state, epoch count and fit
    /// seed, and training continues up to the total the interrupted fit was started with (or -Epochs, counted as the total, when that is
    /// larger), so a restart trains only the epochs that are left; when it does not exist yet, training starts from the beginning (the
    /// same command works for the first run of a runbook and for every restart).</summary>
    [Parameter] public string? Resume { get; set; }

    /// <summary>Also write the model after the last record.</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var stream = ParameterSetName == DataSet ? Data.Stream : null;
        // Windows of a series are read batch by batch; what needs every row at once takes them in memory instead.
        if (stream is not null && Data.InMemoryOnDemand && (ValidationSplit > 0 || SampleWeight is not null || ClassWeight is not null))
            stream = null;
        bool valInMemory = ValidationData is { } v && (!v.IsStreamed || (v.InMemoryOnDemand && stream is null));
        EncodedData? data = stream is null ? GetData(Y) : null;
        bool resumed = false;
        if (Resume is not null)
        {
            var path = ResolveFilePath(Resume);
            if (File.Exists(path))
            {
                Engine.Checkpoints.Checkpoint.RestoreInto(Model.Engine, path);
                resumed = true;
                WriteVerbose($"Resuming from '{path}' after epoch {Model.Engine.EpochsTrained}"
                    + $" of {Model.Engine.TargetEpochs ?? Epochs}.");
            }
            else WriteVerbose($"No checkpoint at '{path}' yet; training from the beginning.");
        }
        using var cts = new CancellationTokenSource();
        stop = cts;
        bool showProgress = ProgressWanted();
        var activity = $"Training {Model.Name}";
        var options = new FitOptions
        {
            Epochs = Epochs,
            BatchSize = BatchSize,
            Shuffle = !IsBound(nameof(Shuffle)) || Shuffle.IsPresent,
            Seed = Seed,
            ValidationData = valInMemory ? ValidationData!.Engine : null,
            ValidationSource = valInMemory ? null : ValidationData?.Stream,
            ValidationSplit = ValidationSplit,
            InitialEpoch = InitialEpoch,
            Resume = resumed,
            ClassWeight = ClassWeight is null ? null : ClassWeights(ClassWeight),
            SampleWeight = SampleWeight?.Select(w => (float)w).ToArray(),
            Callbacks = (Callbacks ?? Array.Empty<object>()).Select(o => CallbackInput.ToCallback(o)).ToArray(),
            MaxDuration = MaxDuration,
            Threads = Threads ?? ModuleSettings.Threads,
            Progress = showProgress ? p => WriteProgress(new ProgressRecord(1, activity,
                $"Epoch {p.Epoch}/{p.Epochs} - batch {p.Batch}/{p.Batches} - loss "
                    + $"{p.RunningLoss.ToString("0.0000", CultureInfo.InvariantCulture)}")
            { PercentComplete = (int)(100L * p.Batch / p.Batches) }) : null,
            Log = WriteVerbose,
            Warn = WriteWarning,
            Cancellation = cts.Token,
        };
        try
        {
            var records = stream is null ? Trainer.Fit(Model.Engine, data!, options) : Trainer.Fit(Model.Engine, stream, options);
            foreach (var record in records)
            {
                EpochRecordView.EnsureView(this, record);
                WriteObject(EpochRecordView.ToPSObject(record));
            }
        }
        finally
        {
            stop = null;
            if (showProgress && !cts.IsCancellationRequested)
                WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
        if (PassThru) WriteObject(Model);
    }

    protected override void StopProcessing() => stop?.Cancel();


    private static Dictionary<string, double> ClassWeights(Hashtable h)
    {
        var d = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in h)
            d[Convert.ToString(e.Key, CultureInfo.InvariantCulture)!] =
                Convert.ToDouble(PSValue.Unwrap(e.Value), CultureInfo.InvariantCulture);
        return d;
    }
}
