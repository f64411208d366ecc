#!/usr/bin/python3
"""References for tests/KerasFiles.Functional.Tests.ps1 ('MultiHeadAttention matches NumPy'): Keras 3's
MultiHeadAttention (keras/src/layers/attention/multi_head_attention.py, default attention_axes) written out in NumPy
from its equations, since TensorFlow.js 4.22.0 has no attention layers. Weights and inputs come from a fixed seed;
run with Debian's /usr/bin/python3 (NumPy) from the repository root: writes tests/data/attention/mha.json, and
AdditiveAttention's references tests/data/attention/additive.json (below)."""
import json
import numpy as np

rng = np.random.default_rng(23)
heads, key_dim, value_dim, out_dim = 2, 3, 2, 4
tq, tv, dq, dv = 3, 4, 5, 3
r = lambda *s: np.round(rng.uniform(-1, 1, s), 4)
query, value = r(2, tq, dq), r(2, tv, dv)
w = {"query/kernel": r(dq, heads, key_dim), "query/bias": r(heads, key_dim),
     "key/kernel": r(dv, heads, key_dim), "key/bias": r(heads, key_dim),
     "value/kernel": r(dv, heads, value_dim), "value/bias": r(heads, value_dim),
     "attention_output/kernel": r(heads, value_dim, out_dim), "attention_output/bias": r(out_dim)}


def softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def mha(causal):
    dense = lambda x, n: np.einsum("abc,cde->abde", x, w[n + "/kernel"]) + w[n + "/bias"]
    q = dense(query, "query") / np.sqrt(key_dim)
    k, v = dense(value, "key"), dense(value, "value")   # key defaults to value
    scores = np.einsum("aecd,abcd->acbe", k, q)
    if causal:
        scores = np.where(np.tril(np.ones((tq, tv), bool)), scores, scores - 1e9)
    context = np.einsum("acbe,aecd->abcd", softmax(scores), v)
    return np.einsum("abcd,cde->abe", context, w["attention_output/kernel"]) + w["attention_output/bias"]


out = {"query": query.ravel().tolist(), "value": value.ravel().tolist(),
       "weights": {k: v.ravel().tolist() for k, v in w.items()},
       "output": mha(False).ravel().tolist(), "causal_output": mha(True).ravel().tolist()}
with open("tests/data/attention/mha.json", "w") as f:
    json.dump(out, f, indent=1)


# Keras 3's AdditiveAttention (keras/src/layers/attention/additive_attention.py over attention.py's _apply_scores):
# scores = sum(scale * tanh(q[:, :, None] + k[:, None]), -1), the causal mask subtracting 1e9 above the diagonal, softmax
# over the value steps, times the value. Written to tests/data/attention/additive.json for tests/AdditiveAttention.Tests.ps1.
rng = np.random.default_rng(29)
query, value, key = r(2, 3, 4), r(2, 4, 3), r(2, 4, 4)
scale = r(4)


def additive(q, v, k, s, causal):
    terms = np.tanh(q[:, :, None, :] + k[:, None, :, :])
    scores = (terms * s if s is not None else terms).sum(-1)
    if causal:
        scores = scores - 1e9 * (1 - np.tril(np.ones(scores.shape[-2:])))
    return softmax(scores) @ v


x = np.array([[[1.0, 0.0], [0.0, 1.0]]])   # the LayerCases rows: self-attention over [[1, 0], [0, 1]], no scale
out = {"query": query.ravel().tolist(), "value": value.ravel().tolist(), "key": key.ravel().tolist(),
       "scale": scale.ravel().tolist(),
       "output": additive(query, value, key, scale, False).ravel().tolist(),
       "causal_output": additive(query, value, key, scale, True).ravel().tolist(),
       "self_no_scale": np.round(additive(x, x, x, None, False), 4).ravel().tolist(),
       "self_no_scale_causal": np.round(additive(x, x, x, None, True), 4).ravel().tolist()}
with open("tests/data/attention/additive.json", "w") as f:
    json.dump(out, f, indent=1)
