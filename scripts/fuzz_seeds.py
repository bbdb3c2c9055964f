#!/usr/bin/env python3
"""Derives small seed corpora for the fuzz targets from the real files in ../shared.

usage: fuzz_seeds.py OUT_DIR SHARED_DIR LONGROPE_BIN
Writes OUT_DIR/<target>/* (never into the repository). Large files are shrunk to their
structure (arrays cut to a few hundred entries, tensors to one element) so that libFuzzer
mutates headers and metadata rather than weight bytes. Missing assets are skipped.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

OUT, SHARED, BIN = sys.argv[1], sys.argv[2], sys.argv[3]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
M = os.path.join(SHARED, "models")


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---- GGUF: metadata with arrays cut to 300 entries, tensors reshaped to one element.
SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


def gguf_shrink(path, keep=300):
    b = read(path)
    o = 4 + 4
    version = struct.unpack_from("<I", b, 4)[0]
    nt, nkv = struct.unpack_from("<QQ", b, o)
    o += 16

    def string(o):
        n = struct.unpack_from("<Q", b, o)[0]
        return b[o:o + 8 + n], o + 8 + n

    def value(t, o, cut):
        if t in SCALAR:
            return b[o:o + SCALAR[t]], o + SCALAR[t]
        if t == 8:
            return string(o)
        et, n = struct.unpack_from("<IQ", b, o)
        o += 12
        items = []
        for _ in range(n):
            v, o = value(et, o, cut)
            items.append(v)
        if cut:
            items = items[:keep]
        return struct.pack("<IQ", et, len(items)) + b"".join(items), o

    kvs = []
    for _ in range(nkv):
        k, o = string(o)
        t = struct.unpack_from("<I", b, o)[0]
        v, o = value(t, o + 4, True)
        kvs.append(k + struct.pack("<I", t) + v)
    tensors = []
    for i in range(nt):
        name, o = string(o)
        nd = struct.unpack_from("<I", b, o)[0]
        o += 4 + 8 * nd
        _t, _off = struct.unpack_from("<IQ", b, o)
        o += 12
        tensors.append(name + struct.pack("<I", 1) + struct.pack("<Q", 1) +
                       struct.pack("<IQ", 0, 32 * i))  # F32, one element
    head = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs)) + b"".join(kvs) + b"".join(tensors)
    head += b"\0" * (-len(head) % 32)
    return head + b"\0" * (32 * len(tensors))


for src in ["stories260K/stories260K.gguf", "qwen2-random-fixture.f16.gguf", "fixture-llama-5m.q4_k.gguf",
            "llama3-random-fixture.f16.gguf", "phi3-random-fixture.f16.gguf"]:
    p = os.path.join(M, src)
    if os.path.exists(p):
        put("gguf", os.path.basename(src), gguf_shrink(p))
for v in ["llama-spm", "gpt-2", "falcon", "deepseek-llm"]:
    p = os.path.join(SHARED, "data/vocab-tests/ggml-vocab-%s.gguf" % v)
    if os.path.exists(p):
        put("gguf", "vocab-" + v, gguf_shrink(p))

# ---- safetensors: the real directories with one-element tensors.
SIZES = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8}
for src in ["fixture-llama-5m", "qwen2-random-fixture", "phi3-random-fixture"]:
    p = os.path.join(M, src, "model.safetensors")
    if not os.path.exists(p):
        continue
    b = read(p)
    n = struct.unpack_from("<Q", b, 0)[0]
    h = json.loads(b[8:8 + n])
    off = 0
    for k, t in h.items():
        if k == "__metadata__":
            continue
        sz = SIZES.get(t["dtype"], 4)
        t["shape"] = [1] * len(t["shape"])
        t["data_offsets"] = [off, off + sz]
        off += sz
    hj = json.dumps(h).encode()
    put("safetensors", src, struct.pack("<Q", len(hj)) + hj + b"\0" * off)

# ---- Hugging Face config.json and shard index.
for src in ["fixture-llama-5m", "qwen2-random-fixture", "phi3-random-fixture"]:
    p = os.path.join(M, src, "config.json")
    if os.path.exists(p):
        put("hf_json", src + "-config.json", read(p))
put("hf_json", "index.json", json.dumps({"metadata": {"total_size": 16}, "weight_map": {
    "a.weight": "model-00001-of-00002.safetensors", "b.weight": "model-00002-of-00002.safetensors"}}))

# ---- llama2.c: a tiny checkpoint (dim 8, hidden 16, 1 layer, 2 heads, vocab 16, seq 8).
for shared_cls in (1, -1):
    dim, hid, L, H, KV, V, S = 8, 16, 1, 2, 2, 16, 8
    hd = dim // H
    n = V * dim + L * dim * 2 + L * dim * (dim + 2 * (KV * hd)) + L * dim * dim + 3 * L * hid * dim + dim
    n += 0 if shared_cls > 0 else V * dim
    body = struct.pack("<%df" % n, *[((i * 7919) % 97) / 97.0 - 0.5 for i in range(n)])
    put("llama2c", "tiny%d.bin" % shared_cls, struct.pack("<7i", dim, hid, L, H, KV, shared_cls * V, S) + body)
p = os.path.join(M, "stories260K/stories260K.bin")
if os.path.exists(p):
    put("llama2c", "stories260K-header", read(p)[:28])

# ---- tokenizers.
for src, tgt in [("stories260K/tok512.bin", "tokbin"), ("fixture-llama-5m/tokenizer.model", "spm")]:
    p = os.path.join(M, src)
    if os.path.exists(p):
        put(tgt, os.path.basename(src), read(p))
p = os.path.join(M, "qwen2-random-fixture/tokenizer.json")
if os.path.exists(p):
    j = json.loads(read(p))
    vocab = {k: v for k, v in j["model"]["vocab"].items() if v < 400}
    j["model"]["vocab"] = vocab
    j["model"]["merges"] = [m for m in j["model"]["merges"]
                            if all(x in vocab for x in (m.split(" ") if isinstance(m, str) else m))][:150]
    j["added_tokens"] = [dict(t, id=400 + i) for i, t in enumerate(j["added_tokens"])]
    put("tokenizer_json", "qwen2-small.json", json.dumps(j))

# ---- text for the BPE tokenizer: the vocab-test inputs and excerpts.
vt = os.path.join(SHARED, "data/vocab-tests")
if os.path.isdir(vt):
    for f in sorted(os.listdir(vt)):
        if f.endswith(".inp"):
            put("bpe_text", f, read(os.path.join(vt, f))[:2048])
    p = os.path.join(vt, "qwen2-excerpt.txt")
    if os.path.exists(p):
        t = read(p)
        for i in range(4):
            put("bpe_text", "excerpt%d" % i, t[i * 1500:(i + 1) * 1500])
put("bpe_text", "mixed", "Hello  world\n\t12345 ÿ 's 'll ü 日本語 \U0001F600 \r\n".encode())

# ---- factor files and hyperparameters (small, hand-made, plus the repo's own files).
put("factors", "one.csv", "\n".join("%.18e" % (1 + 0.1 * i) for i in range(16)) + "\n")
put("factors", "rows.csv", "1,1.5,2\n1,1.25,2.5\n")
put("factors", "full.json", json.dumps({"long_factor": [1, 1.5, 2], "short_factor": [1, 1, 1.2],
                                        "start_tokens": 4, "mscale": "su", "target_length": 4096,
                                        "original_max_position": 512}))
put("factors", "bare.json", "[[1,2],[1,3]]")
hp = os.path.join(ROOT, "hyperparams")
for f in sorted(os.listdir(hp)):
    put("hyperparams", f, read(os.path.join(hp, f)))

# ---- HDF5: a small shard and a small archive written by the toolkit itself.
tmp = tempfile.mkdtemp()
tok = os.path.join(M, "stories260K/tok512.bin")
mdl = os.path.join(M, "stories260K/stories260K.bin")
docs = os.path.join(SHARED, "data/tinystories-like")
if os.path.exists(BIN) and os.path.exists(tok) and os.path.isdir(docs):
    files = sorted(os.path.join(docs, f) for f in os.listdir(docs))[:2]
    shard = os.path.join(tmp, "s.h5")
    subprocess.run([BIN, "tokenize", "-q", "--tokenizer", tok, "--output", shard] +
                   sum([["--input", f] for f in files], []), check=True, stdout=subprocess.DEVNULL)
    put("shard", "tinystories2.h5", read(shard))
    out = os.path.join(tmp, "run")
    r = subprocess.run([BIN, "search", "--model", mdl, "--data", shard, "--target-length", "1024",
                        "--samples", "1", "--seed", "1", "--set", "population_size=3",
                        "--set", "max_time_budget=1", "--set", "mutation_numbers=1",
                        "--set", "crossover_size=1", "--set", "parents_size=2",
                        "--baselines", "false", "-q", "--threads", "1", "--output-dir", out],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode == 0:
        put("archive", "tiny-run.h5", read(os.path.join(out, "archive.h5")))
    else:
        print("fuzz_seeds: archive seed skipped: " + r.stderr.decode().strip(), file=sys.stderr)
for t in ["archive", "shard"]:
    put(t, "not-hdf5", b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
for d in sorted(os.listdir(OUT)):
    print("fuzz_seeds: %-15s %d seeds" % (d, len(os.listdir(os.path.join(OUT, d)))), file=sys.stderr)
