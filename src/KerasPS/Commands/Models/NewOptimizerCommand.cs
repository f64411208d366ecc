using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Training.Optimizers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Creates a configured optimizer (keras.optimizers.*) for Build-Model.</para>
/// <para type="description">Unset hyperparameters take Keras's defaults: sgd 0.01; adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam
/// 0.001; epsilon 1e-7. -ClipNorm rescales each gradient to at most that L2 norm; -ClipValue clips each gradient element.</para>
/// </summary>
/// <example><code>New-Optimizer sgd -LearningRate 0.01 -Momentum 0.9 -Nesterov</code></example>
/// <example><code>$model | Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.001 -ClipNorm 1.0) -Loss mse</code></example>
[Cmdlet(VerbsCommon.New, "Optimizer")]
[OutputType(typeof(Optimizer))]
public sealed class NewOptimizerCommand : KerasCmdlet
{
    /// <summary>The optimizer, by name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(OptimizerCompleter))]
    public string Name { get; set; } = null!;

    /// <summary>Step size (Keras default: 0.01 for sgd, 0.001 for the others).</summary>
    [Parameter] public double? LearningRate { get; set; }
    /// <summary>SGD and RMSprop momentum.</summary>
    [Parameter] public double? Momentum { get; set; }
    /// <summary>Nesterov momentum (SGD).</summary>
    [Parameter] public SwitchParameter Nesterov { get; set; }
    /// <summary>Decay of the first-moment average (Adam family; 0.9).</summary>
    [Parameter] public double? Beta1 { get; set; }
    /// <summary>Decay of the second-moment average (Adam family; 0.999).</summary>
    [Parameter] public double? Beta2 { get; set; }
    /// <summary>Small constant for numerical stability (1e-7, as Keras).</summary>
    [Parameter] public double? Epsilon { get; set; }
    /// <summary>Decay of the squared-gradient average (RMSprop, Adadelta).</summary>
    [Parameter] public double? Rho { get; set; }
    /// <summary>Decoupled weight decay (AdamW).</summary>
    [Parameter] public double? WeightDecay { get; set; }
    /// <summary>Use the AMSGrad variant (Adam, AdamW).</summary>
    [Parameter] public SwitchParameter Amsgrad { get; set; }
    /// <summary>Centered RMSprop.</summary>
    [Parameter] public SwitchParameter Centered { get; set; }
    /// <summary>Adagrad's starting accumulator (0.1).</summary>
    [Parameter] public double? InitialAccumulatorValue { get; set; }
    /// <summary>Rescale each gradient so that its L2 norm is at most this value.</summary>
    [Parameter] public double? ClipNorm { get; set; }
    /// <summary>Clip each gradient element to [-ClipValue, ClipValue].</summary>
    [Parameter] public double? ClipValue { get; set; }

    /// <summary>Each option parameter with the Keras config name the engine knows it by.</summary>
    private static readonly (string Parameter, string Option)[] OptionParameters =
    {
        (nameof(LearningRate), "learning_rate"), (nameof(Momentum), "momentum"), (nameof(Nesterov), "nesterov"),
        (nameof(Beta1), "beta_1"), (nameof(Beta2), "beta_2"), (nameof(Epsilon), "epsilon"), (nameof(Rho), "rho"),
        (nameof(WeightDecay), "weight_decay"), (nameof(Amsgrad), "amsgrad"), (nameof(Centered), "centered"),
        (nameof(InitialAccumulatorValue), "initial_accumulator_value"), (nameof(ClipNorm), "clipnorm"), (nameof(ClipValue), "clipvalue"),
    };

    protected override void Process()
    {
        // An option the optimizer ignores is a mistake to report, not to drop: sgd -Beta1 0.5 would otherwise train plain SGD.
        var name = KerasObjects.Optimizers.Get(Name).Name;
        var used = Optimizer.OptionsOf(name);
        var unused = OptionParameters.Where(p => !used.Contains(p.Option) && Given(p.Parameter)).Select(p => "-" + p.Parameter).ToList();
        if (unused.Count > 0)
        {
            var uses = OptionParameters.Where(p => used.Contains(p.Option)).Select(p => "-" + p.Parameter);
            Fail("OptionNotUsedByOptimizer", ErrorCategory.InvalidArgument,
                $"{name} does not use {string.Join(", ", unused)}. It uses: {string.Join(", ", uses)}.", Name);
        }
        WriteObject(KerasObjects.Optimizers.FromConfig(name, BoundConfig(OptionParameters)));
    }

    /// <summary>A value given, or a switch turned on (-Amsgrad:$false asks for nothing).</summary>
    private bool Given(string parameter) =>
        MyInvocation.BoundParameters.TryGetValue(parameter, out var v) && !(v is SwitchParameter s && !s.IsPresent);
}
