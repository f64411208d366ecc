using System.Management.Automation;
using System.Text;
using KerasPS.Engine.Plotting;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Experiments;

/// <summary>
/// <para type="synopsis">Draws training histories as a line chart (epoch on x) and saves it as PNG or SVG.</para>
/// <para type="description">Takes epoch records (Invoke-ModelFit output: one run, loss and val_loss by default) or trial results
/// (Invoke-ModelSweep output: one line per trial, the sweep's monitored value by default) from the pipeline and writes a chart with axes,
/// ticks, grid, legend and title. The format follows the extension of -Path (.png or .svg). An existing file is replaced only once the new
/// one is complete; -NoClobber refuses to replace it.</para>
/// </summary>
/// <example><code>$model | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 20 |
///     Export-HistoryPlot -Path loss.png</code></example>
/// <example><code>Invoke-ModelSweep @sweep |
///     Export-HistoryPlot -Path sweep.svg -Metric val_accuracy -Title 'Validation accuracy per trial'</code></example>
[Cmdlet(VerbsData.Export, "HistoryPlot", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportHistoryPlotCommand : KerasCmdlet
{
    private readonly HistoryInput input = new();

    /// <summary>File to write: .png or .svg (a PowerShell path, taken literally; its folder must exist).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("LiteralPath")]
    public string Path { get; set; } = null!;

    /// <summary>Epoch records or trial results.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public object InputObject { get; set; } = null!;

    /// <summary>History values to draw (Keras names such as loss, val_loss, val_accuracy, or property names such as ValLoss).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MonitorCompleter))]
    public string[]? Metric { get; set; }

    /// <summary>Title above the chart.</summary>
    [Parameter] public string? Title { get; set; }

    /// <summary>Width in pixels (default 800).</summary>
    [Parameter] [ValidateRange(200, 10000)] public int Width { get; set; } = 800;

    /// <summary>Height in pixels (default 500).</summary>
    [Parameter] [ValidateRange(150, 10000)] public int Height { get; set; } = 500;

    /// <summary>Replace an existing file. Without it an existing file is a PlotFileExists error, as for Export-Checkpoint.</summary>
    [Parameter] public SwitchParameter Force { get; set; }

    /// <summary>Never replace an existing file (the default, said out loud; cannot be combined with -Force).</summary>
    [Parameter] public SwitchParameter NoClobber { get; set; }

    /// <summary>Write the file's FileInfo.</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void Process() => input.Add(InputObject);

    protected override void End()
    {
        var path = ResolveOutputFile(Path, Force, NoClobber, "PlotFileExists", "Plot");
        if (path is null) return;
        var ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".png" or ".svg"))
            Fail("UnsupportedPlotFormat", ErrorCategory.InvalidArgument,
                $"Export-HistoryPlot writes .png or .svg files. Received: '{Path}'. Change the extension.", Path);

        var dir = System.IO.Path.GetDirectoryName(path)!;
        if (!Directory.Exists(dir))
            Fail("PlotFolderNotFound", ErrorCategory.ObjectNotFound,
                $"The folder '{dir}' does not exist. Create it first, or choose another -Path.", dir);

        var series = input.Series(Metric, out var metrics);
        var chart = new LineChart(series, Title, "epoch", HistoryInput.AxisLabel(metrics), Width, Height);
        if (!ShouldProcess(path, $"Write a {ext[1..].ToUpperInvariant()} chart of {string.Join(", ", metrics)} ({series.Count} lines)"))
            return;

        var bytes = ext == ".svg" ? new UTF8Encoding(false).GetBytes(SvgCanvas.Render(chart))
            : PlotFile.RenderPng(chart, WriteWarning, "axes labels, legend");
        PlotFile.Write(path, bytes);
        WriteVerbose($"Wrote {path} ({bytes.Length:N0} bytes): {string.Join(", ", series.Select(s => s.Name))}.");
        if (PassThru) WriteObject(new FileInfo(path));
    }
}
