using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Training.Optimizers;

/// <summary>keras.optimizers.SGD (learning_rate=0.01, momentum=0, nesterov=False).</summary>
[KerasObject("keras.optimizers", "SGD", "sgd")]
public sealed class Sgd : Optimizer, IKerasObject<Sgd>
{
    public new const double DefaultLearningRate = 0.01;
    public const double DefaultMomentum = 0;

    public Sgd(double learningRate = DefaultLearningRate, double momentum = DefaultMomentum, bool nesterov = false,
        double? clipNorm = null, double? clipValue = null)
        : base(learningRate, clipNorm, clipValue)
    {
        if (!(momentum >= 0 && momentum < 1))
            throw KerasException.BadArgument("InvalidMomentum",
                $"Momentum must be in [0, 1). Received: momentum={Fmt(momentum)}.", momentum);
        Momentum = momentum;
        Nesterov = nesterov;
    }

    public static Sgd FromConfig(ConfigReader c) => new(c.Double("learning_rate", DefaultLearningRate),
        c.Double("momentum", DefaultMomentum), c.Bool("nesterov", false), c.NullableDouble("clipnorm"), c.NullableDouble("clipvalue"));

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
        v.mul_(S(Momentum)).add_(g, S(-LearningRate));
        if (Nesterov) p.add_(v, S(Momentum)).add_(g, S(-LearningRate));
        else p.PlusInPlace(v);
    }
}

/// <summary>keras.optimizers.Adam (learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False).</summary>
[KerasObject("keras.optimizers", "Adam", "adam")]
public class Adam : Optimizer, IKerasObject<Adam>
{
    public Adam(double learningRate = DefaultLearningRate, double beta1 = DefaultBeta1, double beta2 = DefaultBeta2,
        double epsilon = DefaultEpsilon, bool amsgrad = false, double? clipNorm = null, double? clipValue = null)
        : base(learningRate, clipNorm, clipValue)
    {
        CheckBeta(beta1, "Beta1"); CheckBeta(beta2, "Beta2");
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; Amsgrad = amsgrad;
    }

    public static Adam FromConfig(ConfigReader c) => new(c.Double("learning_rate", DefaultLearningRate),
        c.Double("beta_1", DefaultBeta1), c.Double("beta_2", DefaultBeta2), c.Double("epsilon", DefaultEpsilon),
        c.Bool("amsgrad", false), c.NullableDouble("clipnorm"), c.NullableDouble("clipvalue"));

    internal static void CheckBeta(double b, string name)
    {
        if (!(b >= 0 && b < 1)) throw KerasException.BadArgument("InvalidBeta", $"{name} must be in [0, 1). Received: {Fmt(b)}.", b);
    }

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
        m.lerp_(g, 1 - Beta1);                          // m += (g - m) * (1 - beta1)
        v.mul_(S(Beta2)).addcmul_(g, g, S(1 - Beta2));  // v += (g^2 - v) * (1 - beta2)
        var denomSource = v;
        if (Amsgrad)
        {
            var vhat = Slot(p, "vhat");
            vhat.copy_(torch.maximum(vhat, v));
            denomSource = vhat;
        }
        p.addcdiv_(m, denomSource.sqrt().add_(S(Epsilon), Scalars.One), S(-alpha));
    }
}

/// <summary>keras.optimizers.AdamW: Adam with decoupled weight decay (weight_decay=0.004).</summary>
[KerasObject("keras.optimizers", "AdamW", "adamw")]
public sealed class AdamW : Adam, IKerasObject<AdamW>
{
    public const double DefaultWeightDecay = 0.004;

    public AdamW(double learningRate = DefaultLearningRate, double weightDecay = DefaultWeightDecay, double beta1 = DefaultBeta1,
        double beta2 = DefaultBeta2, double epsilon = DefaultEpsilon, bool amsgrad = false, double? clipNorm = null,
        double? clipValue = null)
        : base(learningRate, beta1, beta2, epsilon, amsgrad, clipNorm, clipValue)
    {
        if (!(weightDecay >= 0))
            throw KerasException.BadArgument("InvalidWeightDecay",
                $"WeightDecay must be 0 or more. Received: {Fmt(weightDecay)}.", weightDecay);
        WeightDecay = weightDecay;
    }

    public static new AdamW FromConfig(ConfigReader c) => new(c.Double("learning_rate", DefaultLearningRate),
        c.Double("weight_decay", DefaultWeightDecay), c.Double("beta_1", DefaultBeta1), c.Double("beta_2", DefaultBeta2),
        c.Double("epsilon", DefaultEpsilon), c.Bool("amsgrad", false), c.NullableDouble("clipnorm"), c.NullableDouble("clipvalue"));
    public double WeightDecay { get; }

    protected override void WriteConfig(IDictionary<string, object?> c) { base.WriteConfig(c); c["weight_decay"] = WeightDecay; }

    protected override void Update(Tensor p, Tensor g)
    {
        p.mul_(S(1 - WeightDecay * LearningRate));
        base.Update(p, g);
    }
}

/// <summary>keras.optimizers.RMSprop (learning_rate=0.001, rho=0.9, momentum=0, epsilon=1e-7, centered=False).</summary>
[KerasObject("keras.optimizers", "RMSprop", "rmsprop")]
public sealed class RmsProp : Optimizer, IKerasObject<RmsProp>
{
    public const double DefaultRho = 0.9;
    public const double DefaultMomentum = 0;

    public RmsProp(double learningRate = DefaultLearningRate, double rho = DefaultRho, double momentum = DefaultMomentum,
        double epsilon = DefaultEpsilon, bool centered = false, double? clipNorm = null, double? clipValue = null)
        : base(learningRate, clipNorm, clipValue)
    {
        Adam.CheckBeta(rho, "Rho"); Adam.CheckBeta(momentum, "Momentum");
        Rho = rho; Momentum = momentum; Epsilon = epsilon; Centered = centered;
    }

    public static RmsProp FromConfig(ConfigReader c) => new(c.Double("learning_rate", DefaultLearningRate),
        c.Double("rho", DefaultRho), c.Double("momentum", DefaultMomentum), c.Double("epsilon", DefaultEpsilon),
        c.Bool("centered", false), c.NullableDouble("clipnorm"), c.NullableDouble("clipvalue"));
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
        v.mul_(S(Rho)).addcmul_(g, g, S(1 - Rho));
        Tensor denom;
        if (Centered)
        {
            var a = Slot(p, "average_gradient");
            a.mul_(S(Rho)).add_(g, S(1 - Rho));
            denom = v - a.Squared();
            denom.add_(S(Epsilon), Scalars.One);
        }
        else denom = v.add(S(Epsilon), Scalars.One);
        denom.sqrt_();
        if (Momentum > 0)
        {
            var mom = Slot(p, "momentum");
            mom.mul_(S(Momentum)).addcdiv_(g, denom, S(LearningRate));
            p.sub_(mom);
        }
        else p.addcdiv_(g, denom, S(-LearningRate));
    }
}

/// <summary>keras.optimizers.Adagrad (learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7).</summary>
[KerasObject("keras.optimizers", "Adagrad", "adagrad")]
public sealed class Adagrad : Optimizer, IKerasObject<Adagrad>
{
    public const double DefaultInitialAccumulatorValue = 0.1;

    public Adagrad(double learningRate = DefaultLearningRate, double initialAccumulatorValue = DefaultInitialAccumulatorValue,
        double epsilon = DefaultEpsilon, double? clipNorm = null, double? clipValue = null)
        : base(learningRate, clipNorm, clipValue)
    {
        InitialAccumulatorValue = initialAccumulatorValue; Epsilon = epsilon;
    }

    public static Adagrad FromConfig(ConfigReader c) => new(c.Double("learning_rate", DefaultLearningRate),
        c.Double("initial_accumulator_value", DefaultInitialAccumulatorValue), c.Double("epsilon", DefaultEpsilon),
        c.NullableDouble("clipnorm"), c.NullableDouble("clipvalue"));
    public double InitialAccumulatorValue { get; }
    public double Epsilon { get; }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["initial_accumulator_value"] = InitialAccumulatorValue; c["epsilon"] = Epsilon;
    }

    protected override void Update(Tensor p, Tensor g)
    {
        var acc = Slot(p, "accumulator", InitialAccumulatorValue);
        acc.addcmul_(g, g, S(1));
        p.addcdiv_(g, acc.add(S(Epsilon), Scalars.One).sqrt_(), S(-LearningRate));
    }
}

/// <summary>keras.optimizers.Adadelta (learning_rate=0.001, rho=0.95, epsilon=1e-7).</summary>
[KerasObject("keras.optimizers", "Adadelta", "adadelta")]
public sealed class Adadelta : Optimizer, IKerasObject<Adadelta>
{
    public const double DefaultRho = 0.95;

    public Adadelta(double learningRate = DefaultLearningRate, double rho = DefaultRho, double epsilon = DefaultEpsilon,
        double? clipNorm = null, double? clipValue = null)
        : base(learningRate, clipNorm, clipValue)
    {
        Adam.CheckBeta(rho, "Rho");
        Rho = rho; Epsilon = epsilon;
    }

    public static Adadelta FromConfig(ConfigReader c) => new(c.Double("learning_rate", DefaultLearningRate),
        c.Double("rho", DefaultRho), c.Double("epsilon", DefaultEpsilon), c.NullableDouble("clipnorm"), c.NullableDouble("clipvalue"));
    public double Rho { get; }
    public double Epsilon { get; }

    protected override void WriteConfig(IDictionary<string, object?> c) { c["rho"] = Rho; c["epsilon"] = Epsilon; }

    protected override void Update(Tensor p, Tensor g)
    {
        var accGrad = Slot(p, "accumulated_grad");
        var accDelta = Slot(p, "accumulated_delta_var");
        accGrad.mul_(S(Rho)).addcmul_(g, g, S(1 - Rho));
        var delta = accDelta.add(S(Epsilon), Scalars.One).sqrt_().div_(accGrad.add(S(Epsilon), Scalars.One).sqrt_()).mul_(g);
        accDelta.mul_(S(Rho)).addcmul_(delta, delta, S(1 - Rho));
        p.add_(delta, S(-LearningRate));
    }
}

/// <summary>keras.optimizers.Adamax (learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7).</summary>
[KerasObject("keras.optimizers", "Adamax", "adamax")]
public sealed class Adamax : Optimizer, IKerasObject<Adamax>
{
    public Adamax(double learningRate = DefaultLearningRate, double beta1 = DefaultBeta1, double beta2 = DefaultBeta2,
        double epsilon = DefaultEpsilon, double? clipNorm = null, double? clipValue = null)
        : base(learningRate, clipNorm, clipValue)
    {
        Adam.CheckBeta(beta1, "Beta1"); Adam.CheckBeta(beta2, "Beta2");
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
    }

    public static Adamax FromConfig(ConfigReader c) => new(c.Double("learning_rate", DefaultLearningRate),
        c.Double("beta_1", DefaultBeta1), c.Double("beta_2", DefaultBeta2), c.Double("epsilon", DefaultEpsilon),
        c.NullableDouble("clipnorm"), c.NullableDouble("clipvalue"));
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["beta_1"] = Beta1; c["beta_2"] = Beta2; c["epsilon"] = Epsilon;
    }

    protected override void Update(Tensor p, Tensor g)
    {
        var m = Slot(p, "m");
        var u = Slot(p, "norm");
        m.lerp_(g, 1 - Beta1);
        u.copy_(torch.maximum(u.mul_(S(Beta2)), g.abs()));
        double alpha = LearningRate / (1 - Math.Pow(Beta1, Iterations));
        p.addcdiv_(m, u.add(S(Epsilon), Scalars.One), S(-alpha));
    }
}

/// <summary>
/// keras.optimizers.Nadam (learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7), with Keras's momentum schedule.
/// </summary>
[KerasObject("keras.optimizers", "Nadam", "nadam")]
public sealed class Nadam : Optimizer, IKerasObject<Nadam>
{
    private double uProduct = 1.0;

    public Nadam(double learningRate = DefaultLearningRate, double beta1 = DefaultBeta1, double beta2 = DefaultBeta2,
        double epsilon = DefaultEpsilon, double? clipNorm = null, double? clipValue = null)
        : base(learningRate, clipNorm, clipValue)
    {
        Adam.CheckBeta(beta1, "Beta1"); Adam.CheckBeta(beta2, "Beta2");
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
    }

    public static Nadam FromConfig(ConfigReader c) => new(c.Double("learning_rate", DefaultLearningRate),
        c.Double("beta_1", DefaultBeta1), c.Double("beta_2", DefaultBeta2), c.Double("epsilon", DefaultEpsilon),
        c.NullableDouble("clipnorm"), c.NullableDouble("clipvalue"));
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }

    protected override void OnReset() { uProduct = 1.0; lastStep = 0; }

    // The running product of the momentum schedule: state a checkpoint keeps besides the slots.
    private const string MomentumProductVariable = "momentum_product";
    public override IReadOnlyList<string> StateVariableNames { get; } = new[] { MomentumProductVariable };

    protected override void WriteStateVariables(IDictionary<string, double> variables) =>
        variables[MomentumProductVariable] = uProduct;

    protected override void ReadStateVariables(IReadOnlyDictionary<string, double> variables)
    {
        if (variables.TryGetValue(MomentumProductVariable, out var product)) uProduct = product;
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["beta_1"] = Beta1; c["beta_2"] = Beta2; c["epsilon"] = Epsilon;
    }

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
        v.mul_(S(Beta2)).addcmul_(g, g, S(1 - Beta2));
        var mHat = m.mul(S(uT1 / (1 - uProdT1))).add_(g, S((1 - uT) / (1 - uProdT)));
        var denom = v.div(S(1 - Math.Pow(Beta2, t))).sqrt_().add_(S(Epsilon), Scalars.One);
        p.addcdiv_(mHat, denom, S(-LearningRate));
    }
}
