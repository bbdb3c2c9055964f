#!/usr/bin/env python3
"""Byte identity of a rewritten GGUF: every key and tensor of SRC not named as changed has the
same raw record in OUT, and every such tensor the same data bytes. Reads raw bytes only.
usage: gguf_identity.py SRC OUT --changed k1,k2 --added k3,t:rope_freqs.weight"""
import struct
import sys

SIZES = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
         12: (256, 144), 14: (256, 210), 30: (1, 2)}
SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


def parse(path):
    b = open(path, "rb").read()
    assert b[:4] == b"GGUF", path
    n_t, n_kv = struct.unpack_from("<QQ", b, 8)
    o = 24

    def string(o):
        (n,) = struct.unpack_from("<Q", b, o)
        return b[o + 8:o + 8 + n].decode(), o + 8 + n

    def skip(t, o):
        if t in SCALAR:
            return o + SCALAR[t]
        if t == 8:
            return string(o)[1]
        et, n = struct.unpack_from("<IQ", b, o)
        o += 12
        for _ in range(n):
            o = skip(et, o)
        return o

    kv, align = {}, 32
    for _ in range(n_kv):
        start = o
        k, o = string(o)
        (t,) = struct.unpack_from("<I", b, o)
        o = skip(t, o + 4)
        kv[k] = (t, b[start:o])
        if k == "general.alignment":
            align = struct.unpack_from("<I", b, o - 4)[0]
    tensors = {}
    for _ in range(n_t):
        start = o
        name, o = string(o)
        (nd,) = struct.unpack_from("<I", b, o)
        ne = struct.unpack_from("<%dQ" % nd, b, o + 4)
        t, off = struct.unpack_from("<IQ", b, o + 4 + 8 * nd)
        o += 4 + 8 * nd + 12
        n = 1
        for d in ne:
            n *= d
        blk, size = SIZES[t]
        tensors[name] = (b[start:o], off, n // blk * size, t, ne)
    data = (o + align - 1) // align * align
    return b, kv, tensors, data


def main():
    src, out = sys.argv[1], sys.argv[2]
    changed = set(sys.argv[sys.argv.index("--changed") + 1].split(",")) if "--changed" in sys.argv else set()
    added = set(sys.argv[sys.argv.index("--added") + 1].split(",")) if "--added" in sys.argv else set()
    sb, skv, st, sd = parse(src)
    ob, okv, ot, od = parse(out)
    bad = 0
    for k, (t, raw) in skv.items():
        if k in changed:
            continue
        if k not in okv or okv[k][1] != raw:
            print("key differs:", k); bad += 1
    for name, (raw, off, n, t, ne) in st.items():
        if name not in ot or ot[name][0] != raw or sb[sd + off:sd + off + n] != ob[od + ot[name][1]:od + ot[name][1] + n]:
            print("tensor differs:", name); bad += 1
    extra_k = set(okv) - set(skv)
    extra_t = {"t:" + n for n in set(ot) - set(st)}
    if extra_k | extra_t != added - set(skv):
        print("unexpected additions:", sorted(extra_k | extra_t), "expected", sorted(added)); bad += 1
    print("%d keys, %d tensors compared; %d problems" % (len(skv) - len(changed & set(skv)), len(st), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
