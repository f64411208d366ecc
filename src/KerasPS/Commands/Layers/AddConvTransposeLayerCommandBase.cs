using System.Management.Automation;

namespace KerasPS.Commands.Layers;

/// <summary>Parameters shared by Add-Conv1DTransposeLayer and Add-Conv2DTransposeLayer (Keras's ConvTranspose arguments).</summary>
public abstract class AddConvTransposeLayerCommandBase : AddConvKernelLayerCommandBase
{
    /// <summary>Window size: one integer, or one per spatial axis (2-D: height,width).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public int[] KernelSize { get; set; } = null!;

    /// <summary>Upsampling step (1 by default): one integer, or one per spatial axis.</summary>
    [Parameter]
    public int[]? Strides { get; set; }

    /// <summary>valid (default: output = input * stride + max(kernel - stride, 0)) or same (output = input * stride).</summary>
    [Parameter]
    [ValidateSet("valid", "same")]
    public string? Padding { get; set; }

    /// <summary>Extra length added at the end of each spatial axis, each smaller than its stride; with it, the output is (input - 1)
    /// * stride + kernel - 2 * pad + output padding (pad = kernel // 2 for same, 0 for valid). Unset by default (Keras's None).</summary>
    [Parameter]
    public int[]? OutputPadding { get; set; }
}
