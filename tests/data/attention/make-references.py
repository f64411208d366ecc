#!/usr/bin/python3
"""References for tests/KerasFiles.Functional.Tests.ps1 ('MultiHeadAttention matches NumPy'): Keras 3's
MultiHeadAttention (keras/src/layers/attention/multi_head_attention.py, default attention_axes) written out in NumPy
from its equations, since TensorFlow.js 4.22.0 has no attention layers. Weights and inputs come from a fixed seed;
run with Debian's /usr/bin/python3 (NumPy) from the repository root: writes tests/data/attention/mha.json, and
AdditiveAttention's references tests/data/attention/additive.json and the masked cases masked.json (below)."""
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
# ---- Masks (tests/Add-MaskingLayer.Tests.ps1): masked.json. A query (batch 2, 4 steps, 3 features) and a value
# (batch 2, 5 steps, 3 features) padded with zeros to different lengths go through Masking(mask_value=0), which zeroes
# the padded steps and gives each a mask (true where any feature is not 0). Keras 3's equations with those masks:
# Attention (keras/src/layers/attention/attention.py, score_mode dot, no scale): scores - 1e9 where the value mask (and
# with use_causal_mask the lower-triangular causal mask) is false, softmax, output rows of masked query steps set to 0;
# its output carries the query's mask, so GlobalAveragePooling1D after it averages the unmasked query steps only.
# MultiHeadAttention (multi_head_attention.py _compute_attention_mask and _masked_softmax, the explicit-scores path):
# attention mask = query mask (B, T, 1) & value mask (B, 1, S); scores -> -1e9 where false, softmax, weights -> 0 where
# false (a masked query step attends to nothing: its output is the output bias).
mrng = np.random.default_rng(31)
mr = lambda *s: np.round(mrng.uniform(-1, 1, s), 4)
q_len, v_len = [4, 2], [3, 5]   # unmasked steps per sample: sample 0's query is full, sample 1's value is full
mq, mv = mr(2, 4, 3), mr(2, 5, 3)
for b in range(2):
    mq[b, q_len[b]:] = 0
    mv[b, v_len[b]:] = 0
q_mask, v_mask = (mq != 0).any(-1), (mv != 0).any(-1)


def attention(causal):
    scores = np.einsum("btd,bsd->bts", mq, mv)
    allowed = v_mask[:, None, :]
    if causal:
        allowed = allowed & np.tril(np.ones((4, 5), bool))[None]
    out = softmax(np.where(allowed, scores, scores - 1e9)) @ mv
    return np.where(q_mask[..., None], out, 0)


def masked_pool(x):
    m = q_mask[..., None].astype(x.dtype)
    return (x * m).sum(1) / m.sum(1)


mw = {"query/kernel": mr(3, heads, key_dim), "query/bias": mr(heads, key_dim),
      "key/kernel": mr(3, heads, key_dim), "key/bias": mr(heads, key_dim),
      "value/kernel": mr(3, heads, value_dim), "value/bias": mr(heads, value_dim),
      "attention_output/kernel": mr(heads, value_dim, out_dim), "attention_output/bias": mr(out_dim)}


def masked_mha():
    dense = lambda x, n: np.einsum("abc,cde->abde", x, mw[n + "/kernel"]) + mw[n + "/bias"]
    q = dense(mq, "query") / np.sqrt(key_dim)
    k, v = dense(mv, "key"), dense(mv, "value")
    scores = np.einsum("aecd,abcd->acbe", k, q)   # (batch, heads, T, S)
    allowed = (q_mask[:, :, None] & v_mask[:, None, :])[:, None]
    weights = np.where(allowed, softmax(np.where(allowed, scores, -1e9)), 0)
    context = np.einsum("acbe,aecd->abcd", weights, v)
    return np.einsum("abcd,cde->abe", context, mw["attention_output/kernel"]) + mw["attention_output/bias"]


# AdditiveAttention is an Attention in Keras 3: the same _apply_scores with the masks, over scores
# sum(scale * tanh(q + k), -1) (the value is the key here).
ascale = mr(3)


def masked_additive(causal):
    scores = (np.tanh(mq[:, :, None, :] + mv[:, None, :, :]) * ascale).sum(-1)
    allowed = v_mask[:, None, :]
    if causal:
        allowed = allowed & np.tril(np.ones((4, 5), bool))[None]
    out = softmax(np.where(allowed, scores, scores - 1e9)) @ mv
    return np.where(q_mask[..., None], out, 0)


masked = {"query": mq.ravel().tolist(), "value": mv.ravel().tolist(),
          "query_mask": q_mask.astype(int).ravel().tolist(), "value_mask": v_mask.astype(int).ravel().tolist(),
          "attention_output": attention(False).ravel().tolist(),
          "attention_causal_output": attention(True).ravel().tolist(),
          "attention_pooled": masked_pool(attention(False)).ravel().tolist(),
          "mha_weights": {k: v.ravel().tolist() for k, v in mw.items()},
          "mha_output": masked_mha().ravel().tolist(),
          "additive_scale": ascale.ravel().tolist(),
          "additive_output": masked_additive(False).ravel().tolist(),
          "additive_causal_output": masked_additive(True).ravel().tolist()}
with open("tests/data/attention/masked.json", "w") as f:
    json.dump(masked, f, indent=1)
