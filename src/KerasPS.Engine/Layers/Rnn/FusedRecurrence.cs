using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KerasPS.Engine.Layers.Rnn;

/// <summary>
/// Runs a Keras recurrent layer on libtorch's fused recurrence (torch::nn::LSTM / GRU / RNN, which libtorch runs
/// with oneDNN's RNN primitives on CPU) instead of a step loop of small tensor calls. The layer keeps its weights
/// in Keras's layout (checkpoints and configs never see anything else); this class is the one place that maps
/// them to libtorch's:
/// <list type="bullet">
/// <item>kernel (in, gates*units) and recurrent_kernel (units, gates*units) are transposed to weight_ih / weight_hh
/// (gates*units, in / units), with the gate blocks reordered: LSTM i, f, c, o is libtorch's i, f, g, o; GRU z, r, h
/// becomes r, z, n;</item>
/// <item>Keras's single bias is bias_ih (bias_hh stays zero); GRU reset_after's (2, 3*units) bias is
/// bias_ih = bias[0] and bias_hh = bias[1] (libtorch's GRU is the reset_after form).</item>
/// </list>
/// Training goes through a custom autograd function: the forward copies the weights into the module's parameters
/// and runs the fused kernel with gradients on; the backward asks autograd for the gradients of the module's
/// parameters (not its .grad) and maps them back to Keras's layout, so the gradients land on the layer's weights
/// (and the optimizer's flat buffer) exactly as the step loop's did.
/// </summary>
internal sealed class FusedRecurrence : IDisposable
{
    private readonly nn.Module module;
    private readonly Parameter weightIh, weightHh;
    private readonly Parameter? biasIh, biasHh;
    private readonly long[] gateOrder;   // torch gate block g comes from Keras gate block gateOrder[g] (an involution here)
    private readonly int gates;
    private readonly long units;
    private readonly bool lstm, twoBiases;

    public enum Kind { SimpleRnnTanh, SimpleRnnRelu, Lstm, GruResetAfter }

    public FusedRecurrence(Kind kind, long inputSize, long units, bool useBias)
    {
        this.units = units;
        switch (kind)
        {
            case Kind.Lstm:
                module = nn.LSTM(inputSize, units, 1, useBias, batchFirst: true);
                gates = 4; gateOrder = new long[] { 0, 1, 2, 3 }; lstm = true;
                break;
            case Kind.GruResetAfter:
                module = nn.GRU(inputSize, units, 1, useBias, batchFirst: true);
                gates = 3; gateOrder = new long[] { 1, 0, 2 }; twoBiases = true;
                break;
            default:
                module = nn.RNN(inputSize, units, 1, kind == Kind.SimpleRnnRelu ? nn.NonLinearities.ReLU : nn.NonLinearities.Tanh, useBias,
                    batchFirst: true);
                gates = 1; gateOrder = new long[] { 0 };
                break;
        }
        // The parameter handles live as long as the layer: keep them out of the caller's dispose scope (a training step's).
        var p = module.named_parameters().ToDictionary(t => t.Item1, t => { t.Item2.DetachFromDisposeScope(); return t.Item2; });
        weightIh = p["weight_ih_l0"];
        weightHh = p["weight_hh_l0"];
        if (useBias)
        {
            biasIh = p["bias_ih_l0"];
            biasHh = p["bias_hh_l0"];
            using var noGrad = torch.no_grad();
            biasHh.zero_();
        }
    }

    /// <summary>
    /// The sequence output (batch, steps, units) with <paramref name="returnSequences"/>, else the last state
    /// (batch, units). <paramref name="bias"/> is the Keras bias ((gates*units) or GRU's (2, 3*units)).
    /// </summary>
    public Tensor Forward(Tensor x, Tensor kernel, Tensor recurrentKernel, Tensor? bias, bool returnSequences)
    {
        bool needGrad = torch.is_grad_enabled() && (x.requires_grad || kernel.requires_grad || recurrentKernel.requires_grad
            || bias?.requires_grad == true);
        if (!needGrad)
        {
            LoadWeights(kernel, recurrentKernel, bias);
            using var noGrad = torch.no_grad();
            return Run(x, returnSequences);
        }
        return FusedFunction.apply(x, kernel, recurrentKernel, bias, new Call(this, returnSequences));
    }

    /// <summary>Keras layout to libtorch's: the one conversion point for the fused path.</summary>
    private void LoadWeights(Tensor kernel, Tensor recurrentKernel, Tensor? bias)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        weightIh.copy_(ToTorchMatrix(kernel));
        weightHh.copy_(ToTorchMatrix(recurrentKernel));
        if (bias is not null)
        {
            biasIh!.copy_(ToTorchVector(twoBiases ? bias[0] : bias));
            if (twoBiases) biasHh!.copy_(ToTorchVector(bias[1]));
        }
    }

    private Tensor Run(Tensor x, bool returnSequences)
    {
        Tensor output;
        switch (module)
        {
            case TorchSharp.Modules.LSTM l: { var (o, h, c) = l.forward(x, null); h.Dispose(); c.Dispose(); output = o; break; }
            case TorchSharp.Modules.GRU g: { var (o, h) = g.forward(x, null); h.Dispose(); output = o; break; }
            default: { var (o, h) = ((TorchSharp.Modules.RNN)module).forward(x, null); h.Dispose(); output = o; break; }
        }
        return returnSequences ? output : output.select(1, -1);
    }

    // (in, gates*units) -> (gates*units, in) in torch's gate order.
    private Tensor ToTorchMatrix(Tensor keras) => ReorderGates(keras, 1).t();
    private Tensor ToTorchVector(Tensor keras) => ReorderGates(keras.unsqueeze(0), 1).squeeze(0);
    // (gates*units, in) gradient in torch's order -> (in, gates*units) in Keras's (the order map is its own inverse).
    private Tensor FromTorchMatrix(Tensor torchGrad) => ReorderGates(torchGrad.t(), 1).contiguous();
    private Tensor FromTorchVector(Tensor torchGrad) => ReorderGates(torchGrad.unsqueeze(0), 1).squeeze(0).contiguous();

    private Tensor ReorderGates(Tensor m, int dim)
    {
        if (gates == 1 || lstm) return m;
        long rows = m.shape[0];
        using var order = torch.tensor(gateOrder);
        return m.reshape(rows, gates, units).index_select(1, order).reshape(rows, gates * units);
    }

    public void Dispose() => module.Dispose();

    private sealed class Call
    {
        public Call(FusedRecurrence owner, bool returnSequences) { Owner = owner; ReturnSequences = returnSequences; }
        public FusedRecurrence Owner { get; }
        public bool ReturnSequences { get; }
        public Tensor? Output, Input;
    }

    /// <summary>Forward: the fused kernel with gradients on; backward: autograd.grad over that inner graph, mapped to Keras's
    /// layout.</summary>
    private sealed class FusedFunction : autograd.SingleTensorFunction<FusedFunction>
    {
        public override string Name => "KerasFusedRecurrence";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var x = (Tensor)vars[0];
            var kernel = (Tensor)vars[1];
            var recurrentKernel = (Tensor)vars[2];
            var bias = vars[3] as Tensor;
            var call = (Call)vars[4];
            var owner = call.Owner;
            owner.LoadWeights(kernel, recurrentKernel, bias);
            using (torch.enable_grad())
            {
                var input = x.detach();
                if (x.requires_grad) input.requires_grad_(true);
                call.Input = input;
                call.Output = owner.Run(input, call.ReturnSequences);
            }
            ctx.save_data("call", call);
            ctx.save_data("needs", new[] { x.requires_grad, kernel.requires_grad, recurrentKernel.requires_grad,
                bias?.requires_grad == true });
            return call.Output.detach();
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var call = (Call)ctx.get_data("call");
            var needs = (bool[])ctx.get_data("needs");
            var o = call.Owner;
            var inputs = new List<Tensor>();
            if (needs[0]) inputs.Add(call.Input!);
            inputs.Add(o.weightIh);
            inputs.Add(o.weightHh);
            if (o.biasIh is not null) { inputs.Add(o.biasIh); if (o.twoBiases) inputs.Add(o.biasHh!); }
            var grads = autograd.grad(new[] { call.Output! }, inputs, new[] { gradOutput }, false, false, false);
            int k = 0;
            var dx = needs[0] ? grads[k++] : null;
            var dKernel = o.FromTorchMatrix(grads[k++]);
            var dRecurrent = o.FromTorchMatrix(grads[k++]);
            Tensor? dBias = null;
            if (o.biasIh is not null)
            {
                var dIh = o.FromTorchVector(grads[k++]);
                dBias = o.twoBiases ? torch.stack(new[] { dIh, o.FromTorchVector(grads[k++]) }, 0) : dIh;
            }
            call.Output = null;
            call.Input = null;
            return new List<Tensor> { dx!, dKernel, dRecurrent, dBias!, null! };
        }
    }
}
