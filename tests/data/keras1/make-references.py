"""NumPy forward passes of Keras 1.x Sequential files, computed from Keras 1's own configs and weight layouts.

Independent of KerasPS's translation: the layers are computed as Keras 1.2.2 defined them (keras/layers/*.py of that
release), over the weights exactly as the file holds them: LSTM's twelve per-gate arrays (W_i, U_i, b_i, W_c, ...,
gates i, c, f, o), SimpleRNN's W, U, b, Convolution1D's (length, 1, input, filters) kernel, Convolution2D's
(rows, cols, input, filters) kernel with dim_ordering 'tf' or (filters, input, rows, cols) with 'th' (channels-first
tensors, as MaxPooling2D 'th'), GRU's nine per-gate arrays (gates z, r, h; the reset gate before the recurrent
product), BatchNormalization mode 0 with its running mean and running
'std' (which Keras 1 computed and used as a variance), Bidirectional's forward then backward halves (the backward
sequence reversed back when return_sequences). Convolutions correlate, as Keras 2 loaded these files (a Keras 1 file
records no backend, so Keras 2 flipped no kernel). Keras 1's hard_sigmoid is clip(0.2x + 0.5, 0, 1).

Usage: python3 make-references.py OUT.json FILE.h5 [FILE.h5 ...]   (Debian's python3 with h5py and NumPy). Inputs come
from numpy.random.default_rng(42): 3 rows, integers in [0, input_dim) for an Embedding first, else normal values.
A file with a sibling `<name>_inputs_and_outputs.h5` (dl4j-test-resources' examples/) is given Keras's own first 8 inputs
and predictions instead. tests/data/keras1/references.json is
`python3 make-references.py references.json $(ls *.h5 | grep -v inputs_and_outputs)` run in this folder.
"""
import json
import os
import sys

import h5py
import numpy as np


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def act(name, x):
    if name in (None, "linear"):
        return x
    if name == "tanh":
        return np.tanh(x)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "hard_sigmoid":
        return np.clip(0.2 * x + 0.5, 0, 1)
    if name == "relu":
        return np.maximum(x, 0)
    if name == "softmax":
        e = np.exp(x - x.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)
    raise ValueError(f"activation {name}")


def lstm(c, w, x):
    wi, ui, bi, wc, uc, bc, wf, uf, bf, wo, uo, bo = w
    n, steps = x.shape[0], x.shape[1]
    h = np.zeros((n, wi.shape[1]))
    cell = np.zeros_like(h)
    seq = []
    order = range(steps - 1, -1, -1) if c.get("go_backwards") else range(steps)
    ra = c["inner_activation"]
    for t in order:
        xt = x[:, t]
        i = act(ra, xt @ wi + h @ ui + bi)
        f = act(ra, xt @ wf + h @ uf + bf)
        cell = f * cell + i * act(c["activation"], xt @ wc + h @ uc + bc)
        o = act(ra, xt @ wo + h @ uo + bo)
        h = o * act(c["activation"], cell)
        seq.append(h)
    return np.stack(seq, 1) if c.get("return_sequences") else h


def simple_rnn(c, w, x):
    wk, u, b = w
    h = np.zeros((x.shape[0], wk.shape[1]))
    seq = []
    for t in range(x.shape[1]):
        h = act(c["activation"], x[:, t] @ wk + b + h @ u)
        seq.append(h)
    return np.stack(seq, 1) if c.get("return_sequences") else h


def gru(c, w, x):
    wz, uz, bz, wr, ur, br, wh, uh, bh = w
    h = np.zeros((x.shape[0], wz.shape[1]))
    seq = []
    ra = c["inner_activation"]
    for t in range(x.shape[1]):
        xt = x[:, t]
        z = act(ra, xt @ wz + h @ uz + bz)
        r = act(ra, xt @ wr + h @ ur + br)
        hh = act(c["activation"], xt @ wh + (r * h) @ uh + bh)
        h = z * h + (1 - z) * hh
        seq.append(h)
    return np.stack(seq, 1) if c.get("return_sequences") else h


def conv2d(c, w, x):
    k, b = w
    if c["dim_ordering"] == "th":   # kernel (filters, input, rows, cols), tensors channels first
        k = np.transpose(k, (2, 3, 1, 0))
        return np.transpose(conv2d(dict(c, dim_ordering="tf"), [k, b], np.transpose(x, (0, 2, 3, 1))), (0, 3, 1, 2))
    rows, cols = k.shape[0], k.shape[1]
    assert c["border_mode"] == "valid" and list(c["subsample"]) == [1, 1] and c["dim_ordering"] == "tf"
    out = np.zeros((x.shape[0], x.shape[1] - rows + 1, x.shape[2] - cols + 1, k.shape[3]))
    for r in range(out.shape[1]):
        for q in range(out.shape[2]):
            out[:, r, q] = np.einsum("nijc,ijcf->nf", x[:, r:r + rows, q:q + cols], k)
    return act(c["activation"], out + b)


def conv1d(c, w, x):
    k, b = w
    k = k[:, 0]
    assert c["border_mode"] == "valid" and c["subsample_length"] == 1
    length = k.shape[0]
    out = np.stack([np.einsum("njc,jcf->nf", x[:, t:t + length], k) for t in range(x.shape[1] - length + 1)], 1)
    return act(c["activation"], out + b)


def layer(cn, c, w, x):
    if cn == "Dense":
        return act(c["activation"], x @ w[0] + (w[1] if len(w) > 1 else 0))
    if cn == "LSTM":
        return lstm(c, w, x)
    if cn == "GRU":
        return gru(c, w, x)
    if cn == "MaxPooling2D":
        th = c["dim_ordering"] == "th"
        if th:
            x = np.transpose(x, (0, 2, 3, 1))
        pr, pc = c["pool_size"]
        assert c["border_mode"] == "valid" and list(c["strides"]) == [pr, pc]
        n, hgt, wid, ch = x.shape
        y = x[:, :hgt // pr * pr, :wid // pc * pc].reshape(n, hgt // pr, pr, wid // pc, pc, ch).max((2, 4))
        return np.transpose(y, (0, 3, 1, 2)) if th else y
    if cn == "SimpleRNN":
        return simple_rnn(c, w, x)
    if cn == "Bidirectional":
        inner = c["layer"]
        half = len(w) // 2
        fwd = layer(inner["class_name"], inner["config"], w[:half], x)
        bwd = layer(inner["class_name"], inner["config"], w[half:], x[:, ::-1])
        if inner["config"].get("return_sequences"):
            bwd = bwd[:, ::-1]
        assert c["merge_mode"] == "concat"
        return np.concatenate([fwd, bwd], -1)
    if cn == "Embedding":
        return w[0][x.astype(np.int64)]
    if cn == "Convolution1D":
        return conv1d(c, w, x)
    if cn == "Convolution2D":
        return conv2d(c, w, x)
    if cn == "BatchNormalization":
        gamma, beta, mean, var = w
        assert c["mode"] == 0
        return (x - mean) / np.sqrt(var + c["epsilon"]) * gamma + beta
    if cn == "Reshape":
        return x.reshape((x.shape[0],) + tuple(c["target_shape"]))
    if cn == "Flatten":
        return x.reshape(x.shape[0], -1)
    if cn == "Activation":
        return act(c["activation"], x)
    raise ValueError(f"layer {cn}")


def forward(path, rng, rows=3):
    f = h5py.File(path, "r")
    config = json.loads(text(f.attrs["model_config"]))
    assert config["class_name"] == "Sequential"
    layers = config["config"] if isinstance(config["config"], list) else config["config"]["layers"]
    weights = f["model_weights"]
    first = layers[0]["config"]
    shape = first["batch_input_shape"][1:]
    if layers[0]["class_name"] == "Embedding":
        x = rng.integers(0, first["input_dim"], size=(rows, *shape)).astype(np.float64)
    else:
        x = rng.standard_normal((rows, *shape))
    inputs = x
    for spec in layers:
        if spec["class_name"] == "InputLayer":
            continue
        c = spec["config"]
        g = weights[c["name"]]
        w = [np.asarray(g[text(n)], np.float64) for n in g.attrs["weight_names"]]
        x = layer(spec["class_name"], c, w, x)
    return [inputs], [x]


def entry(xs):
    return [{"shape": list(x.shape), "values": [float(f"{v:.9g}") for v in np.asarray(x, np.float64).reshape(-1)]}
            for x in xs]


def main():
    out, files = sys.argv[1], sys.argv[2:]
    result = {}
    for path in files:
        io_path = path.replace("_model.h5", "_inputs_and_outputs.h5")
        if io_path != path and os.path.exists(io_path):
            # Keras's own: the first 8 inputs it was given and the predictions it made
            io = h5py.File(io_path, "r")
            inputs = [io["inputs"][k][:8] for k in io["inputs"].keys()]
            outputs = [io["predictions"][k][:8] for k in io["predictions"].keys()]
            reference = "keras"
        else:
            inputs, outputs = forward(path, np.random.default_rng(42))
            reference = "numpy"
        item = {"reference": reference, "inputs": entry(inputs), "outputs": entry(outputs)}
        # the forget gate's input weights of the first LSTM, as the file holds them (Keras 1's lstm_1_W_f)
        f = h5py.File(path, "r")
        for name in f["model_weights"].attrs["layer_names"]:
            g = f["model_weights"][text(name)]
            w_f = [text(n) for n in g.attrs["weight_names"] if text(n).split(":")[0].endswith("_W_f")]
            if w_f:
                item["lstm_w_f"] = entry([g[w_f[0]][()]])[0]
                break
        result[os.path.basename(path)] = item
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
