using System.Management.Automation;

namespace KerasPS.Commands.Layers;

/// <summary>Parameters shared by Add-GlobalAveragePooling1DLayer and Add-GlobalAveragePooling2DLayer (Keras's data_format and
/// keepdims).</summary>
public abstract class AddGlobalAveragePoolingLayerCommandBase : AddLayerCommandBase
{
    /// <summary>channels_last (default, Keras's) or channels_first.</summary>
    [Parameter]
    [ValidateSet("channels_last", "channels_first")]
    public string? DataFormat { get; set; }

    /// <summary>Keep the pooled axes with size 1.</summary>
    [Parameter]
    public SwitchParameter KeepDims { get; set; }
}
