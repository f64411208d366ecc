"""Reference outputs for real functional Keras 2 .h5 files, computed with NumPy from the file's own config and weights.

The functional tf.keras files of dl4j-test-resources (tfkeras/, weights/) hold no predictions: DL4J's tests run
TensorFlow beside them. This script stands in for Keras: it walks the file's functional graph (inbound_nodes) and
computes each layer with NumPy (float64) as Keras defines it, on seeded random float32 inputs (two rows), and writes the
inputs and outputs (9 significant digits) as JSON
for KerasFiles.Functional.Tests.ps1. It is independent of KerasPS (h5py reads the file; nothing of KerasPS runs).

Usage: python3 make-functional-references.py OUT.json FILE.h5 [FILE.h5 ...]
Needs h5py and NumPy (Debian: python3-h5py). Files with a layer this script does not compute are listed and skipped.
"""
import json
import sys

import h5py
import numpy as np

ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softmax": lambda x: (lambda e: e / e.sum(-1, keepdims=True))(np.exp(x - x.max(-1, keepdims=True))),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0))),
    "softplus": lambda x: np.logaddexp(0, x),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "exponential": np.exp,
    # these files are Keras 2's, whose hard_sigmoid is clip(0.2x + 0.5, 0, 1)
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0, 1),
}


def act(name):
    if name not in ACTIVATIONS:
        raise NotImplementedError(f"activation {name}")
    return ACTIVATIONS[name]


def conv1d(x, k, b, c):
    stride, dilation = c["strides"][0], c["dilation_rate"][0]
    span = (k.shape[0] - 1) * dilation + 1
    if c["padding"] == "causal":
        x = np.pad(x, ((0, 0), (span - 1, 0), (0, 0)))
    elif c["padding"] == "same":
        steps = -(-x.shape[1] // stride)
        total = max((steps - 1) * stride + span - x.shape[1], 0)
        x = np.pad(x, ((0, 0), (total // 2, total - total // 2), (0, 0)))
    steps = (x.shape[1] - span) // stride + 1
    out = np.stack([sum(x[:, t * stride + j * dilation, :] @ k[j] for j in range(k.shape[0])) for t in range(steps)], 1)
    return out + b if b is not None else out


def conv2d(x, k, b, c):
    if c.get("data_format") == "channels_first":
        x = x.transpose(0, 2, 3, 1)
    if c["padding"] != "valid" or c["strides"] != [1, 1] or c["dilation_rate"] != [1, 1]:
        raise NotImplementedError("Conv2D other than valid, stride 1")
    kh, kw = k.shape[:2]
    h, w = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.zeros((x.shape[0], h, w, k.shape[3]))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nhwc,co->nhwo", x[:, i:i + h, j:j + w, :], k[i, j])
    if b is not None:
        out = out + b
    return out.transpose(0, 3, 1, 2) if c.get("data_format") == "channels_first" else out


def recurrent(x, w, c, cell):
    units = c["units"]
    steps = range(x.shape[1] - 1, -1, -1) if c.get("go_backwards") else range(x.shape[1])
    h = np.zeros((x.shape[0], units))
    state = np.zeros_like(h)
    seq = []
    for t in steps:
        h, state = cell(x[:, t, :], h, state, w, c)
        seq.append(h)
    return np.stack(seq, 1) if c.get("return_sequences") else h


def simple_rnn_cell(x, h, _, w, c):
    h = act(c["activation"])(x @ w[0] + h @ w[1] + (w[2] if len(w) > 2 else 0))
    return h, None


def lstm_cell(x, h, s, w, c):
    z = x @ w[0] + h @ w[1] + (w[2] if len(w) > 2 else 0)
    u = c["units"]
    ra, a = act(c["recurrent_activation"]), act(c["activation"])
    i, f, g, o = ra(z[:, :u]), ra(z[:, u:2 * u]), a(z[:, 2 * u:3 * u]), ra(z[:, 3 * u:])
    s = f * s + i * g
    return o * a(s), s


def layer_call(cn, c, w, xs):
    x = xs[0]
    if cn == "Dense":
        return act(c["activation"])(x @ w[0] + (w[1] if c.get("use_bias", True) else 0))
    if cn == "Activation":
        return act(c["activation"])(x)
    if cn in ("Dropout", "AlphaDropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout"):
        return x
    if cn == "BatchNormalization":
        axis = c["axis"][0] if isinstance(c["axis"], list) else c["axis"]
        if axis not in (-1, x.ndim - 1):
            raise NotImplementedError(f"BatchNormalization axis {axis}")
        i = 0
        gamma = w[i] if c.get("scale", True) else 1
        i += 1 if c.get("scale", True) else 0
        beta = w[i] if c.get("center", True) else 0
        i += 1 if c.get("center", True) else 0
        return (x - w[i]) / np.sqrt(w[i + 1] + c["epsilon"]) * gamma + beta
    if cn == "Conv1D":
        return act(c["activation"])(conv1d(x, w[0], w[1] if c.get("use_bias", True) else None, c))
    if cn == "Conv2D":
        return act(c["activation"])(conv2d(x, w[0], w[1] if c.get("use_bias", True) else None, c))
    if cn in ("MaxPooling1D", "AveragePooling1D"):
        p, s = c["pool_size"][0], c["strides"][0]
        if c["padding"] != "valid":
            raise NotImplementedError("pooling padding")
        n = (x.shape[1] - p) // s + 1
        win = np.stack([x[:, t * s:t * s + p, :] for t in range(n)], 1)
        return win.max(2) if cn == "MaxPooling1D" else win.mean(2)
    if cn == "MaxPooling2D":
        (ph, pw), (sh, sw) = c["pool_size"], c["strides"]
        if c["padding"] != "valid" or c.get("data_format", "channels_last") != "channels_last":
            raise NotImplementedError("pooling padding")
        h, wd = (x.shape[1] - ph) // sh + 1, (x.shape[2] - pw) // sw + 1
        return np.stack([np.stack([x[:, i * sh:i * sh + ph, j * sw:j * sw + pw, :].max((1, 2)) for j in range(wd)], 1)
                         for i in range(h)], 1)
    if cn == "GlobalAveragePooling1D":
        return x.mean(1)
    if cn == "Flatten":
        return x.reshape(len(x), -1)
    if cn == "Reshape":
        return x.reshape((len(x),) + tuple(c["target_shape"]))
    if cn == "Permute":
        return x.transpose((0,) + tuple(c["dims"]))
    if cn == "RepeatVector":
        return np.repeat(x[:, None, :], c["n"], 1)
    if cn == "Embedding":
        return w[0][x.astype(int)]
    if cn == "ELU":
        return np.where(x > 0, x, c["alpha"] * np.expm1(np.minimum(x, 0)))
    if cn == "LeakyReLU":
        return np.where(x > 0, x, c["alpha"] * x)
    if cn == "PReLU":
        return np.where(x > 0, x, w[0] * x)
    if cn == "ReLU":
        if c.get("max_value") is not None or c.get("threshold", 0) != 0:
            raise NotImplementedError("ReLU options")
        return np.where(x > 0, x, c.get("negative_slope", 0) * x)
    if cn == "Softmax":
        return ACTIVATIONS["softmax"](x)
    if cn == "Multiply":
        return np.prod(np.stack(np.broadcast_arrays(*xs)), 0)
    if cn == "Add":
        return sum(xs)
    if cn == "Concatenate":
        return np.concatenate(xs, c.get("axis", -1))
    if cn == "SimpleRNN":
        return recurrent(x, w, c, simple_rnn_cell)
    if cn == "LSTM":
        return recurrent(x, w, c, lstm_cell)
    if cn == "Bidirectional":
        inner = c["layer"]
        cell = {"SimpleRNN": simple_rnn_cell, "LSTM": lstm_cell}.get(inner["class_name"])
        if cell is None or c.get("merge_mode") not in ("concat", "sum", "mul", "ave") or c.get("backward_layer"):
            raise NotImplementedError(f"Bidirectional {inner['class_name']} {c.get('merge_mode')}")
        half = len(w) // 2
        fc = dict(inner["config"], go_backwards=False)
        y = recurrent(x, w[:half], fc, cell)
        y_rev = recurrent(x, w[half:], dict(fc, go_backwards=True), cell)
        if fc.get("return_sequences"):
            y_rev = y_rev[:, ::-1]
        return {"concat": lambda: np.concatenate([y, y_rev], -1), "sum": lambda: y + y_rev, "mul": lambda: y * y_rev,
                "ave": lambda: (y + y_rev) / 2}[c["merge_mode"]]()
    raise NotImplementedError(cn)


def weights_of(group):
    if "weight_names" not in group.attrs:
        return []
    return [group[n.decode() if isinstance(n, bytes) else n][()].astype(np.float64) for n in group.attrs["weight_names"]]


def forward(path, rng, rows=2):
    f = h5py.File(path, "r")
    raw = f.attrs["model_config"]
    config = json.loads(raw.decode() if isinstance(raw, bytes) else raw)["config"]
    layers = {l["name"]: l for l in config["layers"]}
    consumers = {}
    for l in config["layers"]:
        for node in l["inbound_nodes"]:
            for t in node:
                consumers.setdefault(t[0], []).append(l)
    values, inputs = {}, []
    for name, _, _ in config["input_layers"]:
        shape = layers[name]["config"]["batch_input_shape"][1:]
        if any(d is None for d in shape):
            raise NotImplementedError("input of unknown size")
        embedding = [l for l in consumers.get(name, []) if l["class_name"] == "Embedding"]
        x = (rng.integers(0, embedding[0]["config"]["input_dim"], (rows,) + tuple(shape)).astype(np.float64) if embedding
             else rng.uniform(-1, 1, (rows,) + tuple(shape)).astype(np.float32).astype(np.float64))
        values[(name, 0)] = x
        inputs.append(x)
    pending = [(l, i, node) for l in config["layers"] for i, node in enumerate(l["inbound_nodes"])]
    while pending:
        progressed = False
        for item in list(pending):
            l, i, node = item
            if all((t[0], t[1]) in values for t in node):
                xs = [values[(t[0], t[1])] for t in node]
                values[(l["name"], i)] = layer_call(l["class_name"], l["config"], weights_of(f["model_weights"][l["name"]]), xs)
                pending.remove(item)
                progressed = True
        if not progressed:
            raise NotImplementedError("graph not computable")
    outputs = [values[(name, node)] for name, node, _ in config["output_layers"]]
    return inputs, outputs


def main():
    out, files = sys.argv[1], sys.argv[2:]
    result = {}
    for path in files:
        rng = np.random.default_rng(42)
        try:
            inputs, outputs = forward(path, rng)
        except NotImplementedError as e:
            print(f"skipped {path}: {e}", file=sys.stderr)
            continue
        result[path.split("/")[-1]] = {
            "inputs": [{"shape": list(x.shape), "values": [float(f"{v:.9g}") for v in x.reshape(-1)]} for x in inputs],
            "outputs": [{"shape": list(y.shape), "values": [float(f"{v:.9g}") for v in y.reshape(-1)]} for y in outputs],
        }
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
