using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands;

/// <summary>
/// <para type="synopsis">Adds a MaxPooling2D layer (Keras MaxPooling2D): the max over windows of height x width, per channel.</para>
/// <para type="description">The window is -PoolSize (2 by default), moved by -Strides (the pool size by default). Padding "same" keeps ceil(size / stride) outputs; padded positions never win the max, as Keras does.</para>
/// </summary>
/// <example><code>$model | Add-Conv2DLayer 32 3 -Activation relu | Add-MaxPooling2DLayer -PoolSize 2</code></example>
[Cmdlet(VerbsCommon.Add, "MaxPooling2DLayer")]
[OutputType(typeof(Model))]
public sealed class AddMaxPooling2DLayerCommand : AddLayerCommandBase
{
    /// <summary>Window size: one integer (square) or height,width (2 by default).</summary>
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

    protected override Layer CreateLayer() =>
        new MaxPooling2D(PoolSize, Strides, Padding, DataFormat, Name, InputShape);
}
