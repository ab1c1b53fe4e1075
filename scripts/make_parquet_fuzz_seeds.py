#!/usr/bin/env python3
"""Writes the hostile seeds of ParquetFooterFuzzTest#checkAnyFooter: Parquet files with no row groups whose
footers (Thrift compact FileMetaData, written here by hand) nest, widen or lie. Run from the repository root."""
import os
import struct

OUT = "pipeline/src/test/resources/dev/canopy/pipeline/fuzz/ParquetFooterFuzzTestInputs/checkAnyFooter"
I32, I64, BINARY, LIST, STRUCT = 5, 6, 8, 9, 12


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return varint((n << 1) ^ (n >> 63))


def field(delta, kind):
    return bytes([(delta << 4) | kind])


def list_header(size, kind):
    return bytes([(size << 4) | kind]) if size < 15 else bytes([0xF0 | kind]) + varint(size)


def element(name, children=None, leaf_type=None):
    out = bytearray()
    last = 0
    if leaf_type is not None:
        out += field(1 - last, I32) + zigzag(leaf_type)
        last = 1
    out += field(3 - last, I32) + zigzag(1)  # OPTIONAL
    out += field(1, BINARY) + varint(len(name)) + name.encode()
    last = 4
    if children is not None:
        out += field(5 - last, I32) + zigzag(children)
    return bytes(out) + b"\x00"


def footer(elements, num_rows=0):
    out = field(1, I32) + zigzag(1)
    out += field(1, LIST) + list_header(len(elements), STRUCT) + b"".join(elements)
    out += field(1, I64) + zigzag(num_rows)
    out += field(1, LIST) + list_header(0, STRUCT)
    return out + b"\x00"


def parquet(meta, claimed=None):
    return b"PAR1" + meta + struct.pack("<I", len(meta) if claimed is None else claimed) + b"PAR1"


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def nested(depth):
    return [element("schema", 1)] + [element("g%d" % i, 1) for i in range(depth)] + [element("x", leaf_type=1)]


os.makedirs(OUT, exist_ok=True)
write("schema-nested-1000-deep", parquet(footer(nested(1000))))
write("schema-nested-64-deep", parquet(footer(nested(64))))
write("schema-10001-columns", parquet(footer([element("schema", 10001)] + [element("c%d" % i, leaf_type=1)
                                                                          for i in range(10001)])))
write("schema-children-missing", parquet(footer([element("schema", 3), element("a", leaf_type=1)])))
write("schema-negative-children", parquet(footer([element("schema", -1)])))
write("footer-length-past-start", parquet(footer(nested(1)), claimed=1 << 30))
