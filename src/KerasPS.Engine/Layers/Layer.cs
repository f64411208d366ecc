using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Constraints;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Regularizers;

namespace KerasPS.Engine.Layers;

/// <summary>
/// One named tensor of a layer: trainable weights and non-trainable state (moving statistics, means), with the
/// rules Keras attaches in <c>add_weight</c>: a regularizer (a penalty added to the training loss) and a
/// constraint (a projection applied after each optimizer step).
/// </summary>
public sealed class Weight
{
    internal Weight(Layer owner, string name, Tensor value, bool trainable, Regularizer? regularizer, Constraint? constraint)
    {
        Owner = owner;
        Name = name;
        Value = value;
        Trainable = trainable;
        Regularizer = regularizer;
        Constraint = constraint;
    }

    public Layer Owner { get; }
    public string Name { get; }

    /// <summary>Name used in checkpoints and summaries: <c>dense/kernel</c>; inside a nested model, <c>trunk/dense/kernel</c>.</summary>
    public string Path => $"{Owner.ScopedName}/{Name}";

    /// <summary>True when the optimizer updates it: a trainable weight of a layer that is trainable, and so is every model
    /// around it.</summary>
    public bool IsUpdated => Trainable && Owner.EffectiveTrainable;
    public Tensor Value { get; internal set; }
    public bool Trainable { get; }
    public long[] Shape => Value.shape;
    public long Count => Value.numel();
    public Regularizer? Regularizer { get; }
    public Constraint? Constraint { get; }

    /// <summary>Projects the weight in place with its constraint (no-op without one); the trainer calls it after each step.</summary>
    public void ApplyConstraint() => Constraint?.Apply(Value);

    /// <summary>Copies the values out (row-major float32).</summary>
    public float[] ToArray() { using var c = Value.detach().contiguous(); return c.data<float>().ToArray(); }

    /// <summary>Overwrites the values after checking them against the weight's shape (Keras set_weights).</summary>
    public void Assign(float[] values, long[] shape)
    {
        if (!shape.SequenceEqual(Shape))
            throw KerasException.BadArgument("WeightShapeMismatch",
                $"Weight '{Path}' has shape ({string.Join(", ", Shape)}); the value given has shape ({string.Join(", ", shape)}). "
                    + $"Give {Count} values in that shape.", Path);
        Assign(values);
    }

    /// <summary>Overwrites the values in place, keeping the tensor (and optimizer references) alive.</summary>
    public void Assign(float[] values)
    {
        if (values.LongLength != Count)
            throw KerasException.BadArgument("WeightShapeMismatch",
                $"Weight '{Path}' holds {Count} values; {values.LongLength} were given.");
        using var noGrad = torch.no_grad();
        using var src = torch.tensor(values, Value.shape);
        Value.copy_(src);
    }
}

/// <summary>
/// A Keras layer: configuration first (checked in the constructor), weights later (<see cref="Build(int[], MersenneTwister)"/>, once the
/// input shape is known), a forward function, and a config that turns back into the same layer.
/// </summary>
public abstract class Layer
{
    private readonly List<Weight> weights = new();

    protected Layer(string? name, int[]? inputShape)
    {
        if (name is not null && (name.Length == 0 || name.Any(ch => char.IsWhiteSpace(ch) || ch == '/')))
            throw KerasException.BadArgument("InvalidLayerName",
                $"A layer name must be non-empty, without spaces or '/'. Received: '{name}'.", name);
        Name = name ?? "";
        DeclaredInputShape = inputShape is null ? null : Shapes.Validate(inputShape, "InputShape");
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, KerasLayerAttribute> Registrations = new();

    private KerasLayerAttribute Registration => Registrations.GetOrAdd(GetType(), t =>
        t.GetCustomAttributes(typeof(KerasLayerAttribute), false).OfType<KerasLayerAttribute>().FirstOrDefault()
        ?? throw new InvalidOperationException($"Layer class {t.FullName} has no [KerasLayer] attribute."));

    /// <summary>The Keras class name, e.g. <c>Dense</c> (from the class's <see cref="KerasLayerAttribute"/>).</summary>
    public string ClassName => Registration.ClassName;

    /// <summary>The Keras module of the class (<c>keras.layers</c>), as Keras 3 writes it beside the class name.</summary>
    public string Module => Registration.Module;

    /// <summary>Unique within its model; assigned from the class name (dense, dense_1, ...) when not given.</summary>
    public string Name { get; internal set; }

    /// <summary>" 'name'" for messages, or nothing while the layer has no name yet (before it joins a model).</summary>
    protected string NameInText => string.IsNullOrEmpty(Name) ? "" : $" '{Name}'";

    /// <summary>The input shape given when the layer was declared (without the batch axis), if any.</summary>
    public virtual int[]? DeclaredInputShape { get; }

    public int[]? InputShape { get; private set; }
    public int[]? OutputShape { get; private set; }
    public bool Built { get; private set; }
    public bool Trainable { get; set; } = true;

    /// <summary>The nested-model layer this layer lives in (Keras: a layer of a model used as a layer), or null.</summary>
    public Layer? Container { get; internal set; }

    /// <summary>The name with the names of the models around it: <c>trunk/dense</c> inside nested model <c>trunk</c>.</summary>
    public string ScopedName => Container is null ? Name : $"{Container.ScopedName}/{Name}";

    /// <summary>Trainable, and so is every model around it (freezing a nested model freezes its layers).</summary>
    public bool EffectiveTrainable => Trainable && (Container?.EffectiveTrainable ?? true);

    public virtual IReadOnlyList<Weight> Weights => weights;
    public long ParamCount => Weights.Sum(w => w.Count);
    public virtual long TrainableParamCount => Trainable ? weights.Where(w => w.Trainable).Sum(w => w.Count) : 0;

    /// <summary>True for layers that take several tensors (merge layers: Concatenate, Add, ...); they implement the list forms of
    /// <see cref="ComputeOutputShape(IReadOnlyList{int[]})"/> and <see cref="Forward(IReadOnlyList{Tensor}, bool)"/>.</summary>
    public virtual bool TakesSeveralInputs => false;

    /// <summary>The input shapes of a layer that takes several inputs, once built; otherwise its one input shape.</summary>
    public IReadOnlyList<int[]>? InputShapes { get; private set; }

    /// <summary>Output shape for the shapes of the tensors the layer is applied to (functional API).</summary>
    public virtual int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count != 1)
            throw KerasException.BadArgument("LayerInputCount",
                $"Layer '{Name}' ({ClassName}) takes one input tensor; {inputShapes.Count} were given. Merge them first "
                    + "(Add-ConcatenateLayer, Add-AddLayer, ...).", inputShapes.Count);
        return ComputeOutputShape(inputShapes[0]);
    }

    /// <summary>Forward pass over the tensors the layer is applied to (functional API).</summary>
    public virtual Tensor Forward(IReadOnlyList<Tensor> inputs, bool training) => Forward(inputs[0], training);

    // ----- masks (Keras's supports_masking / compute_mask / the call's mask argument) -----
    // A mask is a boolean (batch, steps) tensor that travels beside a sequence: true where a timestep holds data.
    // Masking and Embedding(mask_zero) make one; layers that support masking pass it on; recurrent layers, pooling,
    // attention and the loss read it. A layer that does not support masking drops it, as Keras 3 does (Keras warns).

    /// <summary>Keras's <c>supports_masking</c>: the layer passes its input's mask on to its output unchanged (Dense,
    /// Dropout, activations, normalizations). False for most layers: their output has no mask.</summary>
    public virtual bool SupportsMasking => false;

    /// <summary>Keras's <c>compute_mask</c>: the mask of the output for an input and its mask (null when there is none).</summary>
    public virtual Tensor? ComputeMask(Tensor input, Tensor? mask) => SupportsMasking ? mask : null;

    /// <summary>The output mask of a layer that takes several inputs, from each input's mask (null where an input has none).</summary>
    public virtual Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks) =>
        SupportsMasking ? masks[0] : null;

    /// <summary>Forward pass with the input's mask (Keras's <c>call(inputs, mask=...)</c>); layers that read the mask (recurrent
    /// layers, pooling) override it, the others compute what they compute without one.</summary>
    public virtual Tensor Forward(Tensor x, Tensor? mask, bool training) => Forward(x, training);

    /// <summary>Forward pass over several inputs with their masks (attention reads the query's and the value's).</summary>
    public virtual Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks, bool training) =>
        Forward(inputs, training);

    /// <summary>Runs the layer on one input and its mask; returns the output and the output's mask.</summary>
    internal virtual (Tensor Output, Tensor? Mask) Call(Tensor x, Tensor? mask, bool training) =>
        mask is null ? (Forward(x, training), ComputeMask(x, null)) : (Forward(x, mask, training), ComputeMask(x, mask));

    /// <summary>Runs the layer on several inputs and their masks; returns the output and the output's mask.</summary>
    internal virtual (Tensor Output, Tensor? Mask) Call(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks, bool training) =>
        masks.All(m => m is null)
            ? (Forward(inputs, training), ComputeMask(inputs, masks))
            : (Forward(inputs, masks, training), ComputeMask(inputs, masks));

    /// <summary>Creates the weights for the shapes of the tensors the layer is applied to.</summary>
    public void Build(IReadOnlyList<int[]> inputShapes, MersenneTwister rng)
    {
        if (!TakesSeveralInputs)
        {
            if (inputShapes.Count != 1) ComputeOutputShape(inputShapes);   // the clear error
            Build(inputShapes[0], rng);
            return;
        }
        var output = ComputeOutputShape(inputShapes);
        foreach (var w in weights) w.Value.Dispose();
        weights.Clear();
        var copies = inputShapes.Select(s => (int[])s.Clone()).ToArray();
        using (torch.no_grad())
        {
            BuildCore(copies, rng);
        }
        InputShapes = copies;
        InputShape = copies[0];
        OutputShape = output;
        Built = true;
    }

    /// <summary>Creates the weights of a layer that takes several inputs (none for the merge layers).</summary>
    protected virtual void BuildCore(IReadOnlyList<int[]> inputShapes, MersenneTwister rng) { }

    /// <summary>Keras call arguments that are not tensors (Attention's <c>use_causal_mask</c>), written into each call's
    /// <c>kwargs</c> in a functional model's config; none for most layers.</summary>
    public virtual void WriteCallArguments(IDictionary<string, object?> kwargs) { }

    /// <summary>Reads the call arguments <see cref="WriteCallArguments"/> writes, from a call's <c>kwargs</c> in a config.</summary>
    public virtual void ReadCallArguments(ConfigReader kwargs) { }

    /// <summary>True when forward runs code that a checkpoint cannot describe safely (script blocks).</summary>
    public virtual bool IsUnsafeToDeserialize => false;

    /// <summary>Creates the weights for an input shape (without the batch axis).</summary>
    public void Build(int[] inputShape, MersenneTwister rng)
    {
        var output = ComputeOutputShape(inputShape);
        foreach (var w in weights) w.Value.Dispose();
        weights.Clear();
        using (torch.no_grad())
        {
            BuildCore(inputShape, rng);
        }
        InputShape = (int[])inputShape.Clone();
        InputShapes = new[] { InputShape };
        OutputShape = output;
        Built = true;
    }

    protected virtual void BuildCore(int[] inputShape, MersenneTwister rng) { }

    /// <summary>Output shape (without the batch axis) for an input shape; throws a clear error when the input cannot work.</summary>
    public abstract int[] ComputeOutputShape(int[] inputShape);

    public abstract Tensor Forward(Tensor x, bool training);

    /// <summary>Creates a weight (Keras's <c>add_weight</c>); its regularizer and constraint travel with it.</summary>
    protected Weight AddWeight(string name, int[] shape, Initializer init, MersenneTwister rng, bool trainable = true,
        Regularizer? regularizer = null, Constraint? constraint = null)
    {
        WeightBudget.Check(this, name, shape);   // before the initializer allocates the values
        return AddWeight(name, shape, init.Create(shape, rng), trainable, regularizer, constraint);
    }

    protected Weight AddWeight(string name, int[] shape, float[] values, bool trainable = true,
        Regularizer? regularizer = null, Constraint? constraint = null)
    {
        WeightBudget.Check(this, name, shape);
        var t = torch.tensor(values, shape.Select(d => (long)d).ToArray(), dtype: ScalarType.Float32);
        t.DetachFromDisposeScope();
        if (trainable) t.requires_grad_(true);
        var w = new Weight(this, name, t, trainable, regularizer, constraint);
        weights.Add(w);
        return w;
    }

    /// <summary>For a layer that computes a weight's values itself: asks the open <see cref="WeightBudget"/> before it allocates
    /// them.</summary>
    protected void CheckWeightBudget(string name, int[] shape) => WeightBudget.Check(this, name, shape);

    /// <summary>Layer-specific settings, Keras-style (<c>units</c>, <c>activation</c>, ...).</summary>
    protected abstract void WriteConfig(IDictionary<string, object?> config);

    /// <summary>
    /// Full Keras-style config (Keras's <c>get_config</c>): name, trainable, dtype, the declared input shape and the
    /// layer's settings under Keras's key names. <see cref="IKerasLayer{TSelf}.FromConfig"/> turns it back into the layer.
    /// </summary>
    public Dictionary<string, object?> GetConfig()
    {
        var c = new Dictionary<string, object?> { ["name"] = Name, ["trainable"] = Trainable, ["dtype"] = "float32" };
        if (DeclaredInputShape is not null) c["input_shape"] = DeclaredInputShape;
        WriteConfig(c);
        return c;
    }

    /// <summary>
    /// The layer as Keras 3 serializes it (<c>keras.saving.serialize_keras_object</c>):
    /// <c>{"module": "keras.layers", "class_name": "Dense", "config": {...}, "registered_name": null}</c>.
    /// </summary>
    public Dictionary<string, object?> Serialize() => new()
    {
        ["module"] = Module,
        ["class_name"] = ClassName,
        ["config"] = GetConfig(),
        ["registered_name"] = null,
    };

    /// <summary>Extra text for the summary (regularizers, constraints, rates); null when there is nothing to add.</summary>
    public virtual string? Details => null;

    /// <summary>
    /// Penalty on the layer's output (Keras's <c>activity_regularizer</c>). Layers hand their output to
    /// <see cref="ObserveActivity"/>; the penalty uses the latest forward pass, divided by the batch size as Keras 3 does.
    /// </summary>
    public Regularizer? ActivityRegularizer { get; protected init; }

    /// <summary>True when the layer adds to the training loss: a weight with a regularizer, or an activity regularizer.</summary>
    public virtual bool HasRegularization => ActivityRegularizer is not null || weights.Any(w => w.Regularizer is not null);

    /// <summary>Keeps the layer's output for the activity regularizer (a no-op without one) and returns it.</summary>
    protected Tensor ObserveActivity(Tensor output)
    {
        if (ActivityRegularizer is not null) lastOutput = output;
        return output;
    }

    private Tensor? lastOutput;

    /// <summary>
    /// Loss terms this layer adds to the training loss: its weights' regularizers, then the activity regularizer
    /// on the output of the latest forward pass. The trainer asks once per batch, right after the forward pass.
    /// </summary>
    public virtual Tensor? RegularizationLoss()
    {
        Tensor? total = null;
        foreach (var w in weights)
            if (w.Regularizer is { } r) { var t = r.Compute(w.Value); total = total is null ? t : total.Plus(t); }
        if (ActivityRegularizer is not null && lastOutput is not null && !lastOutput.IsInvalid)
        {
            using var batch = Math.Max(1, lastOutput.shape[0]).ToScalar();
            var a = ActivityRegularizer.Compute(lastOutput).div(batch);
            total = total is null ? a : total.Plus(a);
        }
        lastOutput = null;
        return total;
    }

    /// <summary>Projects every weight with its constraint, as the trainer does after each optimizer step.</summary>
    public void ApplyConstraints()
    {
        foreach (var w in Weights) w.ApplyConstraint();
    }

    public override string ToString() => $"{ClassName}({Name})";

    protected static string F(double d) => d.ToString("G", CultureInfo.InvariantCulture);
}

/// <summary>A layer that ends with a named activation, so the model can fuse softmax/sigmoid into the loss.</summary>
public interface IActivationHead
{
    string Activation { get; }
    Tensor ForwardWithoutActivation(Tensor x, bool training);
}
