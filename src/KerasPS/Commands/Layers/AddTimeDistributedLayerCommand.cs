using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Rnn;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a TimeDistributed wrapper (Keras TimeDistributed): one layer, its weights shared, applied to every
/// timestep.</para>
/// <para type="description">-Layer is a model holding the one layer to apply (New-Model | Add-DenseLayer 8), as Keras's
/// TimeDistributed(Dense(8)). Input (batch, timesteps, ...): the layer sees (...) at each timestep; output (batch, timesteps,
/// the layer's output). Parameters: the wrapped layer's.</para>
/// </summary>
/// <example><code>New-Model -InputShape 10,8 | Add-LSTMLayer 16 -ReturnSequences |
/// Add-TimeDistributedLayer (New-Model | Add-DenseLayer 3 -Activation softmax)</code></example>
/// <example><code># functional: the same small CNN on each of 5 frames of 28x28x1
/// $x = New-ModelInput -Shape 5,28,28,1
/// $y = $x | Add-TimeDistributedLayer (New-Model | Add-Conv2DLayer 8 3 -Activation relu)</code></example>
[Cmdlet(VerbsCommon.Add, "TimeDistributedLayer")]
[OutputType(typeof(Model))]
public sealed class AddTimeDistributedLayerCommand : AddLayerCommandBase
{
    /// <summary>A model holding the one layer to apply at every timestep (it is copied, not changed).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public Model Layer { get; set; } = null!;

    protected override Engine.Layers.Layer CreateLayer()
    {
        var layers = Layer.Engine.Layers;
        if (layers.Count != 1)
            throw KerasException.BadArgument("InvalidWrappedLayer",
                $"-Layer takes a model holding one layer (New-Model | Add-DenseLayer 8); it holds {layers.Count}.", nameof(Layer));
        var config = layers[0].GetConfig();
        config.Remove("input_shape");
        return new TimeDistributed(LayerRegistry.FromConfig(layers[0].ClassName, config), Name, InputShape);
    }
}
