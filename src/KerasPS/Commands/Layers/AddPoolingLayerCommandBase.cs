using System.Management.Automation;

namespace KerasPS.Commands.Layers;

/// <summary>Shared parameters of the pooling layers (MaxPooling1D/2D, AveragePooling1D/2D), as Keras names them.</summary>
public abstract class AddPoolingLayerCommandBase : AddLayerCommandBase
{
    /// <summary>Window size: an integer, or height,width for 2-D pooling (2 by default).</summary>
    [Parameter(Position = 0)]
    public int[]? PoolSize { get; set; }

    /// <summary>Step between windows (the pool size by default).</summary>
    [Parameter]
    public int[]? Strides { get; set; }

    /// <summary>valid (default: only whole windows) or same.</summary>
    [Parameter]
    [ValidateSet("valid", "same")]
    public string? Padding { get; set; }

    /// <summary>channels_last (default, Keras's) or channels_first.</summary>
    [Parameter]
    [ValidateSet("channels_last", "channels_first")]
    public string? DataFormat { get; set; }
}
