using System.Management.Automation;

namespace KerasPS.Commands.Layers;

/// <summary>Parameters shared by Add-Conv1DLayer and Add-Conv2DLayer (Keras's Conv arguments).</summary>
public abstract class AddConvLayerCommandBase : AddConvKernelLayerCommandBase
{
    /// <summary>Window size: one integer, or one per spatial axis (Conv2D: height,width).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public int[] KernelSize { get; set; } = null!;

    /// <summary>Step of the window (1 by default): one integer, or one per spatial axis.</summary>
    [Parameter]
    public int[]? Strides { get; set; }

    /// <summary>valid (default: no padding) or same (output size = ceil(input / stride)); Conv1D also takes causal.</summary>
    [Parameter]
    [ValidateSet("valid", "same", "causal")]
    public string? Padding { get; set; }

    /// <summary>channels_last (default, Keras's: height, width, channels) or channels_first.</summary>
    [Parameter]
    [ValidateSet("channels_last", "channels_first")]
    public string? DataFormat { get; set; }
}
