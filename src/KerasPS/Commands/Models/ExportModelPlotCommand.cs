using System.Management.Automation;
using System.Text;
using KerasPS.Engine.Plotting;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Draws a model's graph of layers (Keras's plot_model) and saves it as SVG, PNG or Graphviz DOT text.</para>
/// <para type="description">Every layer is a box with its name, its Keras class and its input and output shapes (-HideShapes leaves the
/// shapes out); an arrow goes from a layer to each layer that reads its output, one arrow per tensor read, so a shared layer has one
/// arrow per call and a merge one per input. Layers sit in rows by depth, the longest path from a model input: a Sequential model is a
/// chain, a residual block shows its skip arrow beside the layers it skips. A nested model is one box, or its own layers with
/// -ExpandNested. The format follows the extension
/// of -Path (.svg, .png or .dot) unless -Format names it; DOT text renders with Graphviz (dot -Tpdf model.dot). Shapes are shown by
/// default, unlike plot_model's show_shapes=False, because they are what a diagram of a functional model is read for (where the
/// merge axes meet), and a switch that is on by default is not PowerShell's way. The model must be built (have an input shape). An
/// existing file is replaced only with -Force, once the new one is complete.</para>
/// </summary>
/// <example><code>$model | Export-ModelPlot -Path model.svg</code></example>
/// <example><code># two inputs, two heads, as a PNG
/// $model = New-Model -Inputs $numbers, $text -Outputs $class, $price
/// $model | Export-ModelPlot ./heads.png -Force -PassThru</code></example>
/// <example><code>$model | Export-ModelPlot ./model.dot; dot -Tpdf ./model.dot -o ./model.pdf</code></example>
/// <example><code>$withTrunk | Export-ModelPlot ./expanded.svg -ExpandNested -HideShapes</code></example>
[Cmdlet(VerbsData.Export, "ModelPlot", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportModelPlotCommand : KerasCmdlet
{
    /// <summary>The model to draw (from the pipeline); it must be built.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>File to write: .svg, .png or .dot (a PowerShell path, taken literally; its folder must exist).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("LiteralPath")]
    public string Path { get; set; } = null!;

    /// <summary>Svg, Png or Dot; by default the extension of -Path says which.</summary>
    [Parameter]
    [ValidateSet("Svg", "Png", "Dot")]
    public string? Format { get; set; }

    /// <summary>Leave the input and output shapes out of the boxes (plot_model's show_shapes=False).</summary>
    [Parameter] public SwitchParameter HideShapes { get; set; }

    /// <summary>Draw a nested model (a model applied as a layer, once) as its own layers, named model/layer, instead of one box
    /// (plot_model's expand_nested).</summary>
    [Parameter] public SwitchParameter ExpandNested { get; set; }

    /// <summary>Replace an existing file. Without it an existing file is a PlotFileExists error, as for Export-HistoryPlot.</summary>
    [Parameter] public SwitchParameter Force { get; set; }

    /// <summary>Never replace an existing file (the default, said out loud; cannot be combined with -Force).</summary>
    [Parameter] public SwitchParameter NoClobber { get; set; }

    /// <summary>Write the file's FileInfo.</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override object? DefaultTarget => Model;

    protected override void Process()
    {
        var path = ResolveOutputFile(Path, Force, NoClobber, "PlotFileExists", "Plot");
        if (path is null) return;
        var format = Format?.ToLowerInvariant() ?? System.IO.Path.GetExtension(path).TrimStart('.').ToLowerInvariant();
        if (format is not ("svg" or "png" or "dot"))
            Fail("UnsupportedPlotFormat", ErrorCategory.InvalidArgument,
                $"Export-ModelPlot writes .svg, .png or .dot files. Received: '{Path}'. Change the extension, or give -Format.", Path);
        var dir = System.IO.Path.GetDirectoryName(path)!;
        if (!Directory.Exists(dir))
            Fail("PlotFolderNotFound", ErrorCategory.ObjectNotFound,
                $"The folder '{dir}' does not exist. Create it first, or choose another -Path.", dir);

        var diagram = ModelDiagram.FromModel(Model.Engine, showShapes: !HideShapes, expandNested: ExpandNested);
        if (!ShouldProcess(path, $"Write a {format.ToUpperInvariant()} diagram of model '{Model.Name}' ({diagram.Nodes.Count} layers)"))
            return;
        var utf8 = new UTF8Encoding(false);
        var bytes = format switch
        {
            "svg" => utf8.GetBytes(SvgCanvas.Render(diagram)),
            "dot" => utf8.GetBytes(diagram.ToDot()),
            _ => PlotFile.RenderPng(diagram, WriteWarning, "layer names, shapes"),
        };
        PlotFile.Write(path, bytes);
        WriteVerbose($"Wrote {path} ({bytes.Length:N0} bytes): {diagram.Nodes.Count} layers, {diagram.Edges.Count} arrows.");
        if (PassThru) WriteObject(new FileInfo(path));
    }
}
