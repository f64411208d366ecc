using System.Management.Automation;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Parameters shared by the convolutions and the transposed convolutions (Keras's filters, activation and dilation_rate);
/// each family describes its own window (kernel size, strides, padding).
/// </summary>
public abstract class AddConvKernelLayerCommandBase : AddKernelLayerCommandBase
{
    /// <summary>Number of output channels (filters).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int Filters { get; set; }

    /// <summary>Activation applied to the output (linear by default).</summary>
    [Parameter(Position = 2)]
    [ArgumentCompleter(typeof(ActivationCompleter))]
    public string? Activation { get; set; }

    /// <summary>Dilation of the window (1 by default); cannot be combined with strides above 1.</summary>
    [Parameter]
    public int[]? DilationRate { get; set; }
}
