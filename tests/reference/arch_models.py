"""Writes seeded random-weight models of every architecture and the reference's log-probs.

usage: /usr/bin/python3 tests/reference/arch_models.py OUT_DIR [SHARED_DIR]
       /usr/bin/python3 tests/reference/arch_models.py --hf-only ARCH VOCAB OUT_FOLDER
For llama, llama3 (rope_scaling llama3), qwen2 (biases, tied), qwen3 (q/k norm, head_dim !=
hidden/heads) and phi3 (fused qkv/gate_up, LongRoPE long/short factors and attention factor):
  OUT_DIR/<arch>-f32/   HF folder, F32 safetensors
  OUT_DIR/<arch>-bf16/  HF folder, the same weights as BF16
  OUT_DIR/<arch>.gguf   GGUF (F32) of the same weights, named and laid out as llama.cpp's
                        converter writes them (llama Q/K rows permuted; NEOX archs not)
and OUT_DIR/expected.json: [{model, tokens, logprobs}] from reference.py (float64), the BF16
folders against the BF16-rounded weights. With SHARED_DIR, the qwen2/phi3 random fixtures'
HF folders are added (their F16 values as stored). Exit 77 when torch is missing.
--hf-only writes one F32 HF folder of ARCH with a VOCAB-token vocabulary (no torch needed):
the end-to-end CLI test pairs it with a real tokenizer.
"""
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
R = None  # reference.py (torch), imported when needed


def need_reference():
    global R
    try:
        import reference
    except ImportError as e:  # no torch: ctest skips
        print("SKIP:", e)
        sys.exit(77)
    R = reference

VOCAB = 97
ARCHS = {
    # name: (HF architectures, model_type, hidden, heads, kv heads, head_dim, ffn, extra config)
    "llama": ("LlamaForCausalLM", "llama", 48, 4, 2, 12, 64, {"rope_theta": 10000.0}),
    "llama3": ("LlamaForCausalLM", "llama", 48, 4, 2, 12, 64,
               {"rope_theta": 500000.0, "tie_word_embeddings": True,
                "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                 "high_freq_factor": 4.0,
                                 "original_max_position_embeddings": 64}}),
    "qwen2": ("Qwen2ForCausalLM", "qwen2", 48, 4, 2, 12, 64,
              {"rope_theta": 1000000.0, "tie_word_embeddings": True, "use_sliding_window": False,
               "sliding_window": 32}),
    "qwen3": ("Qwen3ForCausalLM", "qwen3", 48, 4, 2, 16, 64,
              {"rope_theta": 1000000.0, "head_dim": 16}),
    "phi3": ("Phi3ForCausalLM", "phi3", 48, 4, 4, 12, 64,
             {"rope_theta": 10000.0, "original_max_position_embeddings": 32,
              "max_position_embeddings": 256, "sliding_window": None,
              "rope_scaling": {"type": "longrope",
                               "long_factor": [round(1 + 7 * (i / 5) ** 1.5, 4) for i in range(6)],
                               "short_factor": [round(1 + 0.5 * (i / 5) ** 2, 4) for i in range(6)]}}),
}


def bf16_round(a):
    u = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    return u


def from_bf16(u):
    return (u.astype(np.uint32) << 16).view(np.float32)


def make_weights(name, rng, vocab=None):
    _, _, dim, H, KV, hd, ffn, extra = ARCHS[name]
    V = vocab or VOCAB
    def mat(*shape, std):
        return (rng.standard_normal(shape) * std).astype(np.float32)
    w = {"model.embed_tokens.weight": mat(V, dim, std=1.0),
         "model.norm.weight": (1 + mat(dim, std=0.2))}
    for l in range(2):
        p = f"model.layers.{l}."
        w[p + "input_layernorm.weight"] = 1 + mat(dim, std=0.2)
        w[p + "post_attention_layernorm.weight"] = 1 + mat(dim, std=0.2)
        w[p + "self_attn.q_proj.weight"] = mat(H * hd, dim, std=0.5)
        w[p + "self_attn.k_proj.weight"] = mat(KV * hd, dim, std=0.5)
        w[p + "self_attn.v_proj.weight"] = mat(KV * hd, dim, std=0.3)
        w[p + "self_attn.o_proj.weight"] = mat(dim, H * hd, std=0.3)
        w[p + "mlp.gate_proj.weight"] = mat(ffn, dim, std=0.3)
        w[p + "mlp.up_proj.weight"] = mat(ffn, dim, std=0.3)
        w[p + "mlp.down_proj.weight"] = mat(dim, ffn, std=0.3)
        if name == "qwen2":
            for x, n in (("q", H), ("k", KV), ("v", KV)):
                w[p + f"self_attn.{x}_proj.bias"] = mat(n * hd, std=1.0)
        if name == "qwen3":
            w[p + "self_attn.q_norm.weight"] = 1 + mat(hd, std=0.5)
            w[p + "self_attn.k_norm.weight"] = 1 + mat(hd, std=0.5)
    if not extra.get("tie_word_embeddings"):
        w["lm_head.weight"] = mat(V, dim, std=0.5)
    return w


def hf_tensors(name, w):
    """HF names as the architecture stores them (phi3 fuses qkv and gate_up)."""
    if name != "phi3":
        return dict(w)
    out = {}
    for k, v in w.items():
        if ".self_attn.q_proj." in k:
            p = k.split("self_attn.")[0]
            out[p + "self_attn.qkv_proj.weight"] = np.concatenate(
                [w[p + "self_attn.q_proj.weight"], w[p + "self_attn.k_proj.weight"],
                 w[p + "self_attn.v_proj.weight"]])
        elif ".mlp.gate_proj." in k:
            p = k.split("mlp.")[0]
            out[p + "mlp.gate_up_proj.weight"] = np.concatenate(
                [w[p + "mlp.gate_proj.weight"], w[p + "mlp.up_proj.weight"]])
        elif not any(s in k for s in ("k_proj", "v_proj", "up_proj")) or "down" in k:
            out[k] = v
    return out


def write_safetensors(path, tensors, bf16):
    header, blobs, off = {}, [], 0
    for k in sorted(tensors):
        a = tensors[k]
        raw = bf16_round(a).tobytes() if bf16 else a.astype("<f4").tobytes()
        header[k] = {"dtype": "BF16" if bf16 else "F32", "shape": list(a.shape),
                     "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def write_hf(folder, name, w, bf16, vocab=None):
    arch, mtype, dim, H, KV, hd, ffn, extra = ARCHS[name]
    os.makedirs(folder, exist_ok=True)
    cfg = {"architectures": [arch], "model_type": mtype, "hidden_size": dim,
           "intermediate_size": ffn, "num_hidden_layers": 2, "num_attention_heads": H,
           "num_key_value_heads": KV, "vocab_size": vocab or VOCAB, "max_position_embeddings": 128,
           "rms_norm_eps": 1e-5, "hidden_act": "silu", "tie_word_embeddings": False,
           "bos_token_id": 1, "eos_token_id": 2}
    cfg.update(extra)
    json.dump(cfg, open(os.path.join(folder, "config.json"), "w"), indent=1)
    write_safetensors(os.path.join(folder, "model.safetensors"), hf_tensors(name, w), bf16)


# ----------------------------------------------------------------------------- GGUF
def _str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def _kv(key, v):
    if isinstance(v, bool):
        return _str(key) + struct.pack("<I?", 7, v)
    if isinstance(v, int):
        return _str(key) + struct.pack("<II", 4, v)
    if isinstance(v, float):
        return _str(key) + struct.pack("<If", 6, v)
    return _str(key) + struct.pack("<I", 8) + _str(v)


def permute(m, n_head):
    """llama.cpp's convert_hf_to_gguf permutation of LLaMA Q/K rows (rotate_half -> pairs)."""
    return m.reshape(n_head, 2, m.shape[0] // n_head // 2, *m.shape[1:]).swapaxes(1, 2).reshape(m.shape)


def write_gguf(path, name, w):
    arch, _, dim, H, KV, hd, ffn, extra = ARCHS[name]
    g = "phi3" if name == "phi3" else ("llama" if name.startswith("llama") else name)
    kv = {"general.architecture": g, f"{g}.context_length": 128, f"{g}.embedding_length": dim,
          f"{g}.block_count": 2, f"{g}.feed_forward_length": ffn, f"{g}.attention.head_count": H,
          f"{g}.attention.head_count_kv": KV, f"{g}.rope.freq_base": float(extra["rope_theta"]),
          f"{g}.attention.layer_norm_rms_epsilon": 1e-5, f"{g}.vocab_size": VOCAB,
          "tokenizer.ggml.bos_token_id": 1, "tokenizer.ggml.eos_token_id": 2}
    if "head_dim" in extra:
        kv[f"{g}.attention.key_length"] = hd
        kv[f"{g}.attention.value_length"] = hd
    t = {"token_embd.weight": w["model.embed_tokens.weight"],
         "output_norm.weight": w["model.norm.weight"]}
    if "lm_head.weight" in w:
        t["output.weight"] = w["lm_head.weight"]
    if name == "llama3":  # what the converter writes for rope_type llama3
        rs = extra["rope_scaling"]
        t["rope_freqs.weight"] = np.array(R.llama3_factors(hd, extra["rope_theta"], rs), np.float32)
    if name == "phi3":
        rs, L = extra["rope_scaling"], extra["original_max_position_embeddings"]
        kv["phi3.context_length"] = extra["max_position_embeddings"]
        kv["phi3.rope.scaling.original_context_length"] = L
        s = extra["max_position_embeddings"] / L
        kv["phi3.rope.scaling.attn_factor"] = float(np.sqrt(1 + np.log(s) / np.log(L)))
        t["rope_factors_long.weight"] = np.array(rs["long_factor"], np.float32)
        t["rope_factors_short.weight"] = np.array(rs["short_factor"], np.float32)
    for l in range(2):
        p, b = f"model.layers.{l}.", f"blk.{l}."
        q, k, v = (w[p + f"self_attn.{x}_proj.weight"] for x in "qkv")
        if g == "llama":
            q, k = permute(q, H), permute(k, KV)
        t[b + "attn_norm.weight"] = w[p + "input_layernorm.weight"]
        t[b + "ffn_norm.weight"] = w[p + "post_attention_layernorm.weight"]
        if name == "phi3":
            t[b + "attn_qkv.weight"] = np.concatenate([q, k, v])
            t[b + "ffn_up.weight"] = np.concatenate([w[p + "mlp.gate_proj.weight"],
                                                     w[p + "mlp.up_proj.weight"]])
        else:
            t[b + "attn_q.weight"], t[b + "attn_k.weight"], t[b + "attn_v.weight"] = q, k, v
            t[b + "ffn_gate.weight"] = w[p + "mlp.gate_proj.weight"]
            t[b + "ffn_up.weight"] = w[p + "mlp.up_proj.weight"]
        t[b + "attn_output.weight"] = w[p + "self_attn.o_proj.weight"]
        t[b + "ffn_down.weight"] = w[p + "mlp.down_proj.weight"]
        for x in "qkv":
            if p + f"self_attn.{x}_proj.bias" in w:
                t[b + f"attn_{x}.bias"] = w[p + f"self_attn.{x}_proj.bias"]
            if p + f"self_attn.{x}_norm.weight" in w:
                t[b + f"attn_{x}_norm.weight"] = w[p + f"self_attn.{x}_norm.weight"]
    head = b"GGUF" + struct.pack("<IQQ", 3, len(t), len(kv))
    head += b"".join(_kv(k, v) for k, v in kv.items())
    infos, data, off = b"", b"", 0
    for k, a in t.items():
        raw = a.astype("<f4").tobytes()
        infos += _str(k) + struct.pack("<I", a.ndim) + b"".join(
            struct.pack("<Q", d) for d in reversed(a.shape)) + struct.pack("<IQ", 0, off)
        pad = -len(raw) % 32
        data += raw + b"\0" * pad
        off += len(raw) + pad
    out = head + infos
    out += b"\0" * (-len(out) % 32)
    with open(path, "wb") as f:
        f.write(out + data)


def main():
    if sys.argv[1] == "--hf-only":
        name, vocab, folder = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        write_hf(folder, name, make_weights(name, np.random.default_rng(3), vocab), False, vocab)
        return
    need_reference()
    out = sys.argv[1]
    shared = sys.argv[2] if len(sys.argv) > 2 else None
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    expected = []
    for i, name in enumerate(ARCHS):
        w = make_weights(name, np.random.default_rng(100 + i))
        write_hf(os.path.join(out, name + "-f32"), name, w, False)
        write_hf(os.path.join(out, name + "-bf16"), name, w, True)
        write_gguf(os.path.join(out, name + ".gguf"), name, w)
        # phi3: 24 tokens use the short factors (<= 32), 80 the long ones
        lengths = (24, 80) if name == "phi3" else (80,)
        for n in lengths:
            tokens = [1] + rng.integers(3, VOCAB, n - 1).tolist()
            for tag in ("f32", "bf16"):
                m = R.load_hf(os.path.join(out, f"{name}-{tag}"))
                lp = R.logprobs(m, tokens, {"kind": "none"}).tolist()
                expected.append({"model": f"{name}-{tag}", "tokens": tokens, "logprobs": lp})
                if tag == "f32":
                    expected.append({"model": f"{name}.gguf", "tokens": tokens, "logprobs": lp})
    if shared:
        for fx, n in (("qwen2-random-fixture", 96), ("phi3-random-fixture", 300)):
            folder = os.path.join(shared, "models", fx)
            if not os.path.isdir(folder):
                continue
            m = R.load_hf(folder)
            tokens = [1] + rng.integers(3, m.cfg["vocab"], n - 1).tolist()
            lp = R.logprobs(m, tokens, {"kind": "none"}).tolist()
            expected.append({"model": "shared:" + fx, "tokens": tokens, "logprobs": lp})
    json.dump(expected, open(os.path.join(out, "expected.json"), "w"))
    print(f"wrote {len(ARCHS)} architectures x (F32, BF16, GGUF) and {len(expected)} references to {out}")


if __name__ == "__main__":
    main()
