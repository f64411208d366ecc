using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Data;
using KerasPS.Engine.Layers.Core;
using KerasPS.Engine.Models;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Creates an input of a functional model (Keras Input): a symbolic tensor that layer cmdlets are applied
/// to.</para>
/// <para type="description">Pipe the tensor to Add-*Layer cmdlets: given a tensor instead of a model, each applies its layer and
/// returns the layer's output tensor, as Keras's x = Dense(64)(x). Merge branches with Add-ConcatenateLayer, Add-AddLayer and
/// the other merge layers, reuse a layer with Invoke-ModelLayer, and make the model with New-Model -Inputs -Outputs. The
/// input's -Name is the name data is matched to when the model has several inputs.</para>
/// </summary>
/// <example><code>$in  = New-ModelInput -Shape 93 -Name features
/// $out = $in | Add-DenseLayer 64 -Activation relu | Add-DenseLayer 9 -Activation softmax
/// $model = New-Model -Inputs $in -Outputs $out -Name otto -Seed 42</code></example>
/// <example><code># a residual block
/// $x = New-ModelInput -Shape 16
/// $h = $x | Add-DenseLayer 16 -Activation relu
/// $y = $h | Add-AddLayer -With $x</code></example>
/// <example><code># text beside numbers: a string input (one string per row) encoded by a TextVectorization layer
/// $title = New-ModelInput -Name title -DType string
/// $numbers = New-ModelInput -Shape 2 -Name numbers
/// $t = $title | Add-TextVectorizationLayer -Adapt $train -Column title -OutputMode multi_hot -MaxTokens 500
/// $out = $t | Add-ConcatenateLayer -With $numbers | Add-DenseLayer 3 -Activation softmax
/// $model = New-Model -Inputs $title, $numbers -Outputs $out -Seed 1</code></example>
[Cmdlet(VerbsCommon.New, "ModelInput")]
[OutputType(typeof(KerasTensor))]
public sealed class NewModelInputCommand : KerasCmdlet
{
    /// <summary>The shape of one sample, without the batch axis: 93 for 93 features, 28,28,1 for an image. A string input takes one
    /// string per row: its shape is 1, the default for -DType string.</summary>
    [Parameter(Position = 0)]
    public int[]? Shape { get; set; }

    /// <summary>The input's name (Keras's Input(name=...)); by default input_layer, input_layer_1, ... when the model is made.</summary>
    [Parameter(Position = 1)]
    public string? Name { get; set; }

    /// <summary>The kind of value the input takes: float32 (default), int32 or int64 (token ids), string (one string per row, from a
    /// -Text column, for Add-TextVectorizationLayer, Add-StringLookupLayer or Add-HashingLayer applied to this input).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InputDTypeCompleter))]
    public string DType { get; set; } = InputLayer.DefaultDType;

    protected override void Process()
    {
        var shape = Shape ?? (DType == StringInputs.DType ? new[] { 1 }
            : throw KerasException.BadArgument("InvalidInputShape",
                "New-ModelInput needs -Shape (one sample without the batch axis, for example -Shape 93); only a string input "
                    + "(-DType string) has a default, one string per row."));
        WriteObject(KerasTensor.Input(shape, Name, DType));
    }
}
