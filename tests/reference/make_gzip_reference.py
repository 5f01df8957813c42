#!/usr/bin/python3
"""Writes tests/reference/gzip_reference.csv: gzip streams made by Python's zlib (an independent
deflate implementation) from payloads that test_data_files.cpp regenerates, covering stored,
fixed-Huffman and dynamic-Huffman blocks, empty and multi-block payloads, optional header fields
and concatenated members.

    /usr/bin/python3 tests/reference/make_gzip_reference.py
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
WORDS = b"quantum hybrid audio spectrogram qubit ansatz mel gradient "


def payload(n):
    """Bytes i of the payload: a word stream with a slowly drifting offset (repeats and literals)."""
    return bytes(WORDS[(i * 7 + i // 61) % len(WORDS)] if (i // 97) % 3 else (i * i + 11) % 256 for i in range(n))


def deflate(data, level=9, strategy=zlib.Z_DEFAULT_STRATEGY):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    return c.compress(data) + c.flush()


def member(data, level=9, strategy=zlib.Z_DEFAULT_STRATEGY, extra=None, name=None, comment=None, header_crc=False):
    flags = (4 if extra else 0) | (8 if name else 0) | (16 if comment else 0) | (2 if header_crc else 0)
    header = bytes([0x1F, 0x8B, 8, flags]) + struct.pack("<I", 0) + bytes([0, 255])
    if extra:
        header += struct.pack("<H", len(extra)) + extra
    if name:
        header += name + b"\0"
    if comment:
        header += comment + b"\0"
    if header_crc:
        header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
    return header + deflate(data, level, strategy) + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def main():
    cases = [
        ("empty", 0, member(payload(0))),
        ("one byte", 1, member(payload(1))),
        ("stored", 1000, member(payload(1000), level=0)),
        ("fixed Huffman", 3000, member(payload(3000), strategy=zlib.Z_FIXED)),
        ("dynamic Huffman level 1", 20000, member(payload(20000), level=1)),
        ("dynamic Huffman in many blocks", 200000, member(payload(200000))),
        ("header fields", 500, member(payload(500), extra=b"ab\x00c", name=b"x.idx", comment=b"hi", header_crc=True)),
        ("two members", 1500, member(payload(1500)[:700]) + member(payload(1500)[700:], level=1)),
    ]
    with open(os.path.join(HERE, "gzip_reference.csv"), "w") as f:
        f.write("case,payload_bytes,gzip_hex\n")
        for name, n, blob in cases:
            f.write(f"{name},{n},{blob.hex()}\n")


if __name__ == "__main__":
    main()
