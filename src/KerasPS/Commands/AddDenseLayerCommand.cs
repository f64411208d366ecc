using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands;

/// <summary>
/// <para type="synopsis">Adds a densely connected layer (Keras Dense): activation(input x kernel + bias).</para>
/// <para type="description">The kernel has shape (inputs, units) as in Keras. On inputs with more than two dimensions the layer applies to the last axis.</para>
/// </summary>
/// <example><code>New-Model -InputShape 93 | Add-DenseLayer -Units 100 -Activation relu | Add-DenseLayer -Units 9 -Activation softmax</code></example>
[Cmdlet(VerbsCommon.Add, "DenseLayer")]
[OutputType(typeof(Model))]
public sealed class AddDenseLayerCommand : AddLayerCommandBase
{
    /// <summary>Number of output units (a positive integer).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int Units { get; set; }

    /// <summary>Activation applied to the output: linear (default), relu, softmax, sigmoid, tanh, ...</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(ActivationCompleter))]
    public string? Activation { get; set; }

    /// <summary>Whether the layer has a bias vector (on by default; -UseBias:$false turns it off).</summary>
    [Parameter]
    public SwitchParameter UseBias { get; set; }

    /// <summary>Kernel initializer name (glorot_uniform by default) or a New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? KernelInitializer { get; set; }

    /// <summary>Bias initializer name (zeros by default) or a New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? BiasInitializer { get; set; }

    protected override Layer CreateLayer() =>
        new Dense(Units, Activation, !IsBound(nameof(UseBias)) || UseBias.IsPresent, Name, InputShape,
            Unwrap(KernelInitializer), Unwrap(BiasInitializer));

    private static object? Unwrap(object? o) => o is PSObject p ? p.BaseObject : o;
}
