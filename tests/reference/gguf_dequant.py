#!/usr/bin/python3
"""Independent numpy decoder of ggml block types in a GGUF file (for tests/golden/quant_rows.json).

Written from the block layouts (ggml-common.h) with whole-array numpy operations, sharing no
code with core/quant_blocks.cpp. Usage:
  gguf_dequant.py write SHARED_DIR OUT.json   sample rows of every fixture-llama-5m.<type>.gguf
  gguf_dequant.py check SHARED_DIR GOLDEN.json  exit 1 if the decoder disagrees with the golden
"""
import json
import mmap
import struct
import sys

import numpy as np

TYPES = {0: ("F32", 1, 4), 1: ("F16", 1, 2), 30: ("BF16", 1, 2), 8: ("Q8_0", 32, 34),
         2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20), 6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24),
         12: ("Q4_K", 256, 144), 13: ("Q5_K", 256, 176), 14: ("Q6_K", 256, 210)}
FILES = ["f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q4_k", "q5_k", "q6_k"]
SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q",
           11: "<q", 12: "<d"}  # GGUF metadata value type -> struct format
SAMPLES = [("blk.0.attn_q.weight", 3), ("blk.1.ffn_down.weight", 5), ("output.weight", 17),
           ("token_embd.weight", 100)]


def read_gguf(path, meta=None):
    """(file bytes, memory-mapped; start of the data section; {name: (ne, type, offset)}).
    Scalar and string metadata values go into `meta` when a dict is given."""
    with open(path, "rb") as f:
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    pos = 8
    n_t, n_kv = struct.unpack_from("<QQ", data, pos)
    pos += 16

    def string(p):
        n = struct.unpack_from("<Q", data, p)[0]
        return data[p + 8:p + 8 + n].decode(), p + 8 + n
    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def skip(t, p):
        if t == 8:
            return string(p)[1]
        if t == 9:
            et, n = struct.unpack_from("<IQ", data, p)
            p += 12
            for _ in range(n):
                p = skip(et, p)
            return p
        return p + sizes[t]
    align = 32
    for _ in range(n_kv):
        key, pos = string(pos)
        t = struct.unpack_from("<I", data, pos)[0]
        if key == "general.alignment":
            align = struct.unpack_from("<I", data, pos + 4)[0]
        if meta is not None and t in SCALARS:
            meta[key] = struct.unpack_from(SCALARS[t], data, pos + 4)[0]
        elif meta is not None and t == 8:
            meta[key] = string(pos + 4)[0]
        pos = skip(t, pos + 4)
    infos = {}
    for _ in range(n_t):
        name, pos = string(pos)
        nd = struct.unpack_from("<I", data, pos)[0]
        ne = struct.unpack_from("<%dQ" % nd, data, pos + 4)
        t, off = struct.unpack_from("<IQ", data, pos + 4 + 8 * nd)
        pos += 4 + 8 * nd + 12
        infos[name] = (list(ne), t, off)
    start = (pos + align - 1) // align * align
    return data, start, infos


def f16(b):
    return b.copy().view(np.float16).astype(np.float32)


def decode_row(raw, t, cols):
    name, bs, bb = TYPES[t]
    b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, bb)
    if name == "F32":
        return b.copy().view(np.float32).ravel()
    if name == "F16":
        return f16(b).ravel()
    if name == "BF16":
        return (b.copy().view(np.uint16).astype(np.uint32) << 16).view(np.float32).ravel()
    d = f16(b[:, 0:2])
    if name == "Q8_0":
        return (d * b[:, 2:].view(np.int8).astype(np.float32)).ravel()
    if name in ("Q4_0", "Q4_1", "Q5_0", "Q5_1"):
        one = name.endswith("_1")
        five = name.startswith("Q5")
        qs = b[:, (4 if one else 2) + (4 if five else 0):]
        q = np.concatenate([qs & 15, qs >> 4], axis=1).astype(np.int32)
        if five:
            qh = b[:, (4 if one else 2):(8 if one else 6)].copy().view("<u4").astype(np.uint64)
            bits = (qh >> np.arange(32, dtype=np.uint64)) & 1
            q = q | (bits.astype(np.int32) << 4)
        if one:
            return (d * q + f16(b[:, 2:4])).ravel()
        return (d * (q - (16 if five else 8))).ravel()
    if name in ("Q4_K", "Q5_K"):
        dmin = f16(b[:, 2:4])
        s = b[:, 4:16].astype(np.int32)
        sc = np.concatenate([s[:, 0:4] & 63, (s[:, 8:12] & 15) | ((s[:, 0:4] >> 6) << 4)], 1)
        mn = np.concatenate([s[:, 4:8] & 63, (s[:, 8:12] >> 4) | ((s[:, 4:8] >> 6) << 4)], 1)
        qs = b[:, 48:] if name == "Q5_K" else b[:, 16:]
        qs = qs.reshape(-1, 4, 32).astype(np.int32)
        q = np.stack([qs & 15, qs >> 4], axis=2).reshape(-1, 8, 32)  # sub-blocks 2i, 2i+1
        if name == "Q5_K":
            qh = b[:, 16:48].astype(np.int32)  # (nb, 32)
            q = q | (((qh[:, None, :] >> np.arange(8)[None, :, None]) & 1) << 4)
        return (d[:, :, None] * sc[:, :, None] * q - dmin[:, :, None] * mn[:, :, None]).ravel()
    if name == "Q6_K":
        ql = b[:, 0:128].reshape(-1, 2, 2, 32).astype(np.int32)  # half, (l or l+32), l
        qh = b[:, 128:192].reshape(-1, 2, 32).astype(np.int32)
        sc = b[:, 192:208].view(np.int8).astype(np.float32).reshape(-1, 2, 8)
        d6 = f16(b[:, 208:210]).reshape(-1, 1, 1, 1)
        low = np.stack([ql[:, :, 0] & 15, ql[:, :, 1] & 15, ql[:, :, 0] >> 4, ql[:, :, 1] >> 4], 2)
        high = np.stack([(qh >> (2 * k)) & 3 for k in range(4)], 2)
        q = (low | (high << 4)) - 32  # (nb, half, k, l)
        scale = np.stack([sc[:, :, 2 * k + np.arange(32) // 16] for k in range(4)], 2)
        return (d6 * scale * q).ravel()
    raise ValueError(name)


def sample(shared):
    out = {}
    for f in FILES:
        path = "%s/models/fixture-llama-5m.%s.gguf" % (shared, f)
        data, start, infos = read_gguf(path)
        for tname, row in SAMPLES:
            ne, t, off = infos[tname]
            _, bs, bb = TYPES[t]
            rb = ne[0] // bs * bb
            raw = data[start + off + row * rb: start + off + (row + 1) * rb]
            y = decode_row(raw, t, ne[0]).astype(np.float64)
            out["%s/%s/%d" % (f, tname, row)] = {
                "type": TYPES[t][0], "every4": [float(v) for v in y[::4]],
                "sum": float(y.sum()), "sumsq": float((y * y).sum())}
    return out


if __name__ == "__main__":
    mode, shared, golden = sys.argv[1:4]
    got = sample(shared)
    if mode == "write":
        json.dump(got, open(golden, "w"), indent=0)
        sys.exit(0)
    want = json.load(open(golden))
    bad = [k for k in want if not np.allclose(want[k]["every4"], got[k]["every4"], rtol=0, atol=0)]
    print("%d rows, %d differ" % (len(want), len(bad)))
    sys.exit(1 if bad else 0)
