using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Bench;

/// <summary>
/// The reference a KerasPS fit is measured against: the loop a TorchSharp user writes by hand, as in
/// ../shared/bench/README.md (randperm, then index_select per batch, nn.Sequential, CrossEntropyLoss, optim.SGD,
/// loss.item() per step for the running loss, validation under no_grad each epoch).
/// </summary>
public static class PlainTorchSharpLoop
{
    public static double[] Run(float[] xTrain, long[] yTrain, float[] xVal, long[] yVal, int features, int classes,
        int[] hidden, int epochs, int batchSize, double learningRate, long seed)
    {
        torch.manual_seed(seed);
        int n = yTrain.Length, nv = yVal.Length;
        using var x = torch.tensor(xTrain, new long[] { n, features });
        using var y = torch.tensor(yTrain);
        using var xv = torch.tensor(xVal, new long[] { nv, features });
        using var yv = torch.tensor(yVal);
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        int prev = features;
        for (int i = 0; i < hidden.Length; i++)
        {
            modules.Add(($"fc{i}", nn.Linear(prev, hidden[i])));
            modules.Add(($"relu{i}", nn.ReLU()));
            prev = hidden[i];
        }
        modules.Add(("out", nn.Linear(prev, classes)));
        using var model = nn.Sequential(modules);
        using var lossFn = nn.CrossEntropyLoss();
        using var opt = optim.SGD(model.parameters(), learningRate);
        var times = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            var sw = Stopwatch.StartNew();
            model.train();
            double total = 0;
            using (var perm = torch.randperm(n))
            {
                for (int s = 0; s < n; s += batchSize)
                {
                    using var scope = torch.NewDisposeScope();
                    long len = Math.Min(batchSize, n - s);
                    var idx = perm.narrow(0, s, len);
                    var xb = x.index_select(0, idx);
                    var yb = y.index_select(0, idx);
                    opt.zero_grad();
                    var loss = lossFn.call(model.call(xb), yb);
                    loss.backward();
                    opt.step();
                    total += loss.item<float>() * len;
                }
            }
            model.eval();
            using (torch.no_grad())
            using (var scope = torch.NewDisposeScope())
            {
                var output = model.call(xv);
                _ = lossFn.call(output, yv).item<float>();
                _ = output.argmax(1).eq(yv).to_type(ScalarType.Float32).mean().item<float>();
            }
            times[e] = sw.Elapsed.TotalSeconds;
            _ = total;
        }
        return times;
    }
}
