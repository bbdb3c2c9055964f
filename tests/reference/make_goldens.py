"""Writes tests/golden/*.json: per-token log-probs from reference.py for each RoPE scaling.

usage: /usr/bin/python3 tests/reference/make_goldens.py [SHARED_DIR]   (default ../shared)
Token ids come from SentencePiece (fixture) and from a llama2.c-style tokenisation of the
stories data (ids taken from the C++ shard when given), so goldens need no tokenizer in C++.
"""
import json
import os
import sys

import sentencepiece as spm

sys.path.insert(0, os.path.dirname(__file__))
import reference as R  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared"))
OUT = os.path.join(ROOT, "tests", "golden")


def cases(half, n_layers, L, long_len):
    s = long_len / L
    ramp = [round(1.0 + (s - 1.0) * (i / (half - 1)) ** 1.5, 2) for i in range(half)]
    per_layer = [[round(1.0 + (f - 1.0) * (0.8 + 0.1 * l), 2) for f in ramp] for l in range(n_layers)]
    return [
        ("none", {"kind": "none"}),
        ("linear", {"kind": "linear", "factor": s, "original_max_position": L}),
        ("ntk", {"kind": "ntk", "factor": s, "original_max_position": L}),
        ("dynamic-ntk", {"kind": "dynamic-ntk", "original_max_position": L}),
        ("yarn", {"kind": "yarn", "factor": s, "original_max_position": L}),
        ("longrope", {"kind": "longrope", "factor": s, "original_max_position": L,
                      "factors": ramp, "start_tokens": 4}),
        ("longrope-layers-yarnmscale", {"kind": "longrope", "factor": s, "original_max_position": L,
                                        "factors": per_layer, "start_tokens": 0, "mscale": "yarn"}),
        ("longrope-deployed", {"kind": "longrope", "original_max_position": L, "factors": ramp,
                               "short_factors": [round(1.0 + 0.3 * (f - 1.0) / (s - 1.0), 2)
                                                 for f in ramp],
                               "target_length": long_len}),
    ]


def write(name, model, seqs, L, long_len):
    c = model.cfg
    path = os.path.join(OUT, name + ".json")
    # Cases already in the file for the same tokens and scaling are kept, not recomputed.
    old = {}
    if os.path.exists(path):
        for e in json.load(open(path))["sequences"]:
            for k in e["cases"]:
                old[(tuple(e["tokens"]), k["name"], json.dumps(k["rope"], sort_keys=True))] = k
    doc = {"model": name, "tolerance_nats": 1e-3, "sequences": []}
    for tokens in seqs:
        entry = {"tokens": tokens, "cases": []}
        for cname, rope in cases(c["head_dim"] // 2, c["n_layers"], L, long_len):
            key = (tuple(tokens), cname, json.dumps(rope, sort_keys=True))
            if key in old:
                entry["cases"].append(old[key])
                continue
            lp = R.logprobs(model, tokens, rope)
            entry["cases"].append({"name": cname, "rope": rope,
                                   "logprobs": [round(float(v), 6) for v in lp]})
        doc["sequences"].append(entry)
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print("wrote", path, os.path.getsize(path), "bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    fx = os.path.join(SHARED, "models", "fixture-llama-5m")
    sp = spm.SentencePieceProcessor(model_file=os.path.join(fx, "tokenizer.model"))
    text = open(os.path.join(SHARED, "data", "pg19-like", "valid", "pg3261.txt"), encoding="utf-8").read()
    ids = [1] + sp.encode(text[:40000])
    write("fixture-llama-5m", R.load_hf(fx), [ids[:17], ids[:300], ids[:2048]], 256, 2048)

    st = os.path.join(SHARED, "models", "stories260K", "stories260K.bin")
    tok = os.path.join(os.path.dirname(st), "tok512.bin")
    ts = tokenize_llama2c(tok, open(os.path.join(SHARED, "data", "tinystories-like", "doc01.txt")).read()[:12000])
    ids = [1] + ts
    write("stories260K", R.load_llama2c(st), [ids[:40], ids[:1024]], 512, 1024)


def tokenize_llama2c(path, text):
    """llama2.c's encode(): dummy-prefix space, code points, byte fallback (+3), best-score merges."""
    import struct
    data = open(path, "rb").read()
    p, vocab, scores = 4, [], []
    while p < len(data):
        sc, n = struct.unpack_from("<fi", data, p)
        vocab.append(data[p + 8:p + 8 + n].decode("utf-8", "replace"))
        scores.append(sc)
        p += 8 + n
    index = {v: i for i, v in enumerate(vocab) if i > 2}
    toks = [index[" "]] if text else []
    for ch in text:
        if ch in index:
            toks.append(index[ch])
        else:
            toks.extend(b + 3 for b in ch.encode("utf-8"))
    while True:
        best, best_i, best_id = -1e10, -1, -1
        for i in range(len(toks) - 1):
            m = index.get(vocab[toks[i]] + vocab[toks[i + 1]])
            if m is not None and scores[m] > best:
                best, best_i, best_id = scores[m], i, m
        if best_i < 0:
            return toks
        toks[best_i:best_i + 2] = [best_id]


if __name__ == "__main__":
    main()
