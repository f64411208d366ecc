using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Training.Optimizers;

/// <summary>keras.optimizers.SGD (learning_rate=0.01, momentum=0, nesterov=False).</summary>
public sealed class Sgd : Optimizer
{
    public Sgd(double learningRate = 0.01, double momentum = 0, bool nesterov = false, double? clipNorm = null, double? clipValue = null)
        : base(learningRate, clipNorm, clipValue)
    {
        if (!(momentum >= 0 && momentum < 1)) throw KerasException.BadArgument("InvalidMomentum", $"Momentum must be in [0, 1). Received: momentum={Fmt(momentum)}.", momentum);
        Momentum = momentum;
        Nesterov = nesterov;
    }

    public override string Name => "sgd";
    public double Momentum { get; }
    public bool Nesterov { get; }

    protected override void WriteConfig(IDictionary<string, object?> c) { c["momentum"] = Momentum; c["nesterov"] = Nesterov; }

    private Scalar? negLr;
    private double negLrFor = double.NaN;

    protected override void Update(Tensor p, Tensor g)
    {
        if (Momentum == 0)
        {
            // The hot path of the Otto tutorial's workload (plain SGD): one add_ on the flat buffers, with a cached Scalar.
            if (negLrFor != LearningRate) { negLr?.Dispose(); negLr = (-LearningRate).ToScalar(); negLrFor = LearningRate; }
            p.add_(g, negLr!);
            return;
        }
        // Keras: v = momentum * v - lr * g; p += v (plain) or p += momentum * v - lr * g (Nesterov).
        var v = Slot(p, "momentum");
        v.mul_(Momentum).add_(g, -LearningRate);
        if (Nesterov) p.add_(v, Momentum).add_(g, -LearningRate);
        else p.add_(v);
    }
}

/// <summary>keras.optimizers.Adam (learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False).</summary>
public class Adam : Optimizer
{
    public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false,
        double? clipNorm = null, double? clipValue = null) : base(learningRate, clipNorm, clipValue)
    {
        CheckBeta(beta1, "Beta1"); CheckBeta(beta2, "Beta2");
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; Amsgrad = amsgrad;
    }

    internal static void CheckBeta(double b, string name)
    {
        if (!(b >= 0 && b < 1)) throw KerasException.BadArgument("InvalidBeta", $"{name} must be in [0, 1). Received: {Fmt(b)}.", b);
    }

    public override string Name => "adam";
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public bool Amsgrad { get; }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["beta_1"] = Beta1; c["beta_2"] = Beta2; c["epsilon"] = Epsilon; c["amsgrad"] = Amsgrad;
    }

    protected override void Update(Tensor p, Tensor g)
    {
        double t = Iterations;
        double alpha = LearningRate * Math.Sqrt(1 - Math.Pow(Beta2, t)) / (1 - Math.Pow(Beta1, t));
        var m = Slot(p, "m");
        var v = Slot(p, "v");
        m.lerp_(g, 1 - Beta1);                    // m += (g - m) * (1 - beta1)
        v.mul_(Beta2).addcmul_(g, g, 1 - Beta2);  // v += (g^2 - v) * (1 - beta2)
        var denomSource = v;
        if (Amsgrad)
        {
            var vhat = Slot(p, "vhat");
            vhat.copy_(torch.maximum(vhat, v));
            denomSource = vhat;
        }
        p.addcdiv_(m, denomSource.sqrt().add_(Epsilon), -alpha);
    }
}

/// <summary>keras.optimizers.AdamW: Adam with decoupled weight decay (weight_decay=0.004).</summary>
public sealed class AdamW : Adam
{
    public AdamW(double learningRate = 0.001, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
        bool amsgrad = false, double? clipNorm = null, double? clipValue = null)
        : base(learningRate, beta1, beta2, epsilon, amsgrad, clipNorm, clipValue)
    {
        if (!(weightDecay >= 0)) throw KerasException.BadArgument("InvalidWeightDecay", $"WeightDecay must be 0 or more. Received: {Fmt(weightDecay)}.", weightDecay);
        WeightDecay = weightDecay;
    }

    public override string Name => "adamw";
    public double WeightDecay { get; }

    protected override void WriteConfig(IDictionary<string, object?> c) { base.WriteConfig(c); c["weight_decay"] = WeightDecay; }

    protected override void Update(Tensor p, Tensor g)
    {
        p.mul_(1 - WeightDecay * LearningRate);
        base.Update(p, g);
    }
}

/// <summary>keras.optimizers.RMSprop (learning_rate=0.001, rho=0.9, momentum=0, epsilon=1e-7, centered=False).</summary>
public sealed class RmsProp : Optimizer
{
    public RmsProp(double learningRate = 0.001, double rho = 0.9, double momentum = 0, double epsilon = 1e-7, bool centered = false,
        double? clipNorm = null, double? clipValue = null) : base(learningRate, clipNorm, clipValue)
    {
        Adam.CheckBeta(rho, "Rho"); Adam.CheckBeta(momentum, "Momentum");
        Rho = rho; Momentum = momentum; Epsilon = epsilon; Centered = centered;
    }

    public override string Name => "rmsprop";
    public double Rho { get; }
    public double Momentum { get; }
    public double Epsilon { get; }
    public bool Centered { get; }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["rho"] = Rho; c["momentum"] = Momentum; c["epsilon"] = Epsilon; c["centered"] = Centered;
    }

    protected override void Update(Tensor p, Tensor g)
    {
        var v = Slot(p, "velocity");
        v.mul_(Rho).addcmul_(g, g, 1 - Rho);
        Tensor denom;
        if (Centered)
        {
            var a = Slot(p, "average_gradient");
            a.mul_(Rho).add_(g, 1 - Rho);
            denom = v - a.square();
            denom.add_(Epsilon);
        }
        else denom = v.add(Epsilon);
        denom.sqrt_();
        if (Momentum > 0)
        {
            var mom = Slot(p, "momentum");
            mom.mul_(Momentum).addcdiv_(g, denom, LearningRate);
            p.sub_(mom);
        }
        else p.addcdiv_(g, denom, -LearningRate);
    }
}

/// <summary>keras.optimizers.Adagrad (learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7).</summary>
public sealed class Adagrad : Optimizer
{
    public Adagrad(double learningRate = 0.001, double initialAccumulatorValue = 0.1, double epsilon = 1e-7, double? clipNorm = null, double? clipValue = null)
        : base(learningRate, clipNorm, clipValue)
    {
        InitialAccumulatorValue = initialAccumulatorValue; Epsilon = epsilon;
    }

    public override string Name => "adagrad";
    public double InitialAccumulatorValue { get; }
    public double Epsilon { get; }

    protected override void WriteConfig(IDictionary<string, object?> c) { c["initial_accumulator_value"] = InitialAccumulatorValue; c["epsilon"] = Epsilon; }

    protected override void Update(Tensor p, Tensor g)
    {
        var acc = Slot(p, "accumulator", InitialAccumulatorValue);
        acc.addcmul_(g, g, 1);
        p.addcdiv_(g, acc.add(Epsilon).sqrt_(), -LearningRate);
    }
}

/// <summary>keras.optimizers.Adadelta (learning_rate=0.001, rho=0.95, epsilon=1e-7).</summary>
public sealed class Adadelta : Optimizer
{
    public Adadelta(double learningRate = 0.001, double rho = 0.95, double epsilon = 1e-7, double? clipNorm = null, double? clipValue = null)
        : base(learningRate, clipNorm, clipValue)
    {
        Adam.CheckBeta(rho, "Rho");
        Rho = rho; Epsilon = epsilon;
    }

    public override string Name => "adadelta";
    public double Rho { get; }
    public double Epsilon { get; }

    protected override void WriteConfig(IDictionary<string, object?> c) { c["rho"] = Rho; c["epsilon"] = Epsilon; }

    protected override void Update(Tensor p, Tensor g)
    {
        var accGrad = Slot(p, "accumulated_grad");
        var accDelta = Slot(p, "accumulated_delta_var");
        accGrad.mul_(Rho).addcmul_(g, g, 1 - Rho);
        var delta = accDelta.add(Epsilon).sqrt_().div_(accGrad.add(Epsilon).sqrt_()).mul_(g);
        accDelta.mul_(Rho).addcmul_(delta, delta, 1 - Rho);
        p.add_(delta, -LearningRate);
    }
}

/// <summary>keras.optimizers.Adamax (learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7).</summary>
public sealed class Adamax : Optimizer
{
    public Adamax(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double? clipNorm = null, double? clipValue = null)
        : base(learningRate, clipNorm, clipValue)
    {
        Adam.CheckBeta(beta1, "Beta1"); Adam.CheckBeta(beta2, "Beta2");
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
    }

    public override string Name => "adamax";
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }

    protected override void WriteConfig(IDictionary<string, object?> c) { c["beta_1"] = Beta1; c["beta_2"] = Beta2; c["epsilon"] = Epsilon; }

    protected override void Update(Tensor p, Tensor g)
    {
        var m = Slot(p, "m");
        var u = Slot(p, "norm");
        m.lerp_(g, 1 - Beta1);
        u.copy_(torch.maximum(u.mul_(Beta2), g.abs()));
        double alpha = LearningRate / (1 - Math.Pow(Beta1, Iterations));
        p.addcdiv_(m, u.add(Epsilon), -alpha);
    }
}

/// <summary>keras.optimizers.Nadam (learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7), with Keras's momentum schedule.</summary>
public sealed class Nadam : Optimizer
{
    private double uProduct = 1.0;

    public Nadam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double? clipNorm = null, double? clipValue = null)
        : base(learningRate, clipNorm, clipValue)
    {
        Adam.CheckBeta(beta1, "Beta1"); Adam.CheckBeta(beta2, "Beta2");
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
    }

    public override string Name => "nadam";
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }

    protected override void OnReset() { uProduct = 1.0; lastStep = 0; }

    // The running product of the momentum schedule: state a checkpoint keeps besides the slots.
    private const string MomentumProductVariable = "momentum_product";
    public override IReadOnlyList<string> StateVariableNames { get; } = new[] { MomentumProductVariable };
    protected override void WriteStateVariables(IDictionary<string, double> variables) => variables[MomentumProductVariable] = uProduct;

    protected override void ReadStateVariables(IReadOnlyDictionary<string, double> variables)
    {
        if (variables.TryGetValue(MomentumProductVariable, out var product)) uProduct = product;
    }

    protected override void WriteConfig(IDictionary<string, object?> c) { c["beta_1"] = Beta1; c["beta_2"] = Beta2; c["epsilon"] = Epsilon; }

    private long lastStep;
    private double uT, uT1, uProdT, uProdT1;

    protected override void Update(Tensor p, Tensor g)
    {
        long t = Iterations;
        if (t != lastStep)
        {
            // The schedule advances once per step, not once per weight.
            const double decay = 0.96;
            uT = Beta1 * (1 - 0.5 * Math.Pow(decay, 0.004 * t));
            uT1 = Beta1 * (1 - 0.5 * Math.Pow(decay, 0.004 * (t + 1)));
            uProduct *= uT;
            uProdT = uProduct;
            uProdT1 = uProdT * uT1;
            lastStep = t;
        }
        var m = Slot(p, "m");
        var v = Slot(p, "v");
        m.lerp_(g, 1 - Beta1);
        v.mul_(Beta2).addcmul_(g, g, 1 - Beta2);
        var mHat = m.mul(uT1 / (1 - uProdT1)).add_(g, (1 - uT) / (1 - uProdT));
        var denom = v.div(1 - Math.Pow(Beta2, t)).sqrt_().add_(Epsilon);
        p.addcdiv_(mHat, denom, -LearningRate);
    }
}

/// <summary>Creates optimizers by Keras name, with Keras's defaults.</summary>
public static class OptimizerFactory
{
    public static IReadOnlyList<string> Names { get; } = new[] { "sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam" };

    /// <summary>
    /// The config options an optimizer reads (Keras's names: learning_rate, momentum, beta_1, ...), so that a caller
    /// can refuse the others instead of silently ignoring them. Throws UnknownOptimizer for an unknown name.
    /// </summary>
    public static IReadOnlyList<string> OptionsUsedBy(string name)
    {
        string[] own = Key(name) switch
        {
            "sgd" => new[] { "momentum", "nesterov" },
            "adam" => new[] { "beta_1", "beta_2", "epsilon", "amsgrad" },
            "adamw" => new[] { "weight_decay", "beta_1", "beta_2", "epsilon", "amsgrad" },
            "rmsprop" => new[] { "rho", "momentum", "epsilon", "centered" },
            "adagrad" => new[] { "initial_accumulator_value", "epsilon" },
            "adadelta" => new[] { "rho", "epsilon" },
            "adamax" or "nadam" => new[] { "beta_1", "beta_2", "epsilon" },
            _ => throw Unknown(name),
        };
        return own.Prepend("learning_rate").Append("clipnorm").Append("clipvalue").ToArray();
    }

    private static string Key(string? name) => (name ?? "").Trim().ToLowerInvariant();

    private static KerasException Unknown(string? name) =>
        KerasException.BadArgument("UnknownOptimizer", $"Unknown optimizer '{name}'. Valid names: {string.Join(", ", Names)}.", name);

    public static Optimizer Create(string name, double? learningRate = null, double? momentum = null, bool nesterov = false,
        double? beta1 = null, double? beta2 = null, double? epsilon = null, double? rho = null, double? weightDecay = null,
        bool amsgrad = false, bool centered = false, double? initialAccumulatorValue = null, double? clipNorm = null, double? clipValue = null)
    {
        return Key(name) switch
        {
            "sgd" => new Sgd(learningRate ?? 0.01, momentum ?? 0, nesterov, clipNorm, clipValue),
            "adam" => new Adam(learningRate ?? 0.001, beta1 ?? 0.9, beta2 ?? 0.999, epsilon ?? 1e-7, amsgrad, clipNorm, clipValue),
            "adamw" => new AdamW(learningRate ?? 0.001, weightDecay ?? 0.004, beta1 ?? 0.9, beta2 ?? 0.999, epsilon ?? 1e-7, amsgrad, clipNorm, clipValue),
            "rmsprop" => new RmsProp(learningRate ?? 0.001, rho ?? 0.9, momentum ?? 0, epsilon ?? 1e-7, centered, clipNorm, clipValue),
            "adagrad" => new Adagrad(learningRate ?? 0.001, initialAccumulatorValue ?? 0.1, epsilon ?? 1e-7, clipNorm, clipValue),
            "adadelta" => new Adadelta(learningRate ?? 0.001, rho ?? 0.95, epsilon ?? 1e-7, clipNorm, clipValue),
            "adamax" => new Adamax(learningRate ?? 0.001, beta1 ?? 0.9, beta2 ?? 0.999, epsilon ?? 1e-7, clipNorm, clipValue),
            "nadam" => new Nadam(learningRate ?? 0.001, beta1 ?? 0.9, beta2 ?? 0.999, epsilon ?? 1e-7, clipNorm, clipValue),
            _ => throw Unknown(name),
        };
    }

    /// <summary>Rebuilds an optimizer from <see cref="Optimizer.GetConfig"/>.</summary>
    public static Optimizer FromConfig(IDictionary<string, object?> c)
    {
        var r = new ConfigReader(c);
        double? D(string k) => r.NullableDouble(k);
        bool B(string k) => r.Bool(k, false);
        return Create(Convert.ToString(c["name"])!, D("learning_rate"), D("momentum"), B("nesterov"), D("beta_1"), D("beta_2"), D("epsilon"),
            D("rho"), D("weight_decay"), B("amsgrad"), B("centered"), D("initial_accumulator_value"), D("clipnorm"), D("clipvalue"));
    }
}
