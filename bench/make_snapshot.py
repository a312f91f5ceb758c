#!/usr/bin/env python3
"""Writes an Apache ZooKeeper 3.8 snapshot of PARENTS x CHILDREN znodes (plus the root and the
/zookeeper nodes) into DIR/version-2, for timing how long servers and tools take to load one.

Usage: make_snapshot.py DIR PARENTS CHILDREN [DATA_BYTES]
"""
import os
import struct
import sys
import zlib


def main():
    directory, parents, children = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    os.makedirs(os.path.join(directory, "version-2"), exist_ok=True)
    data = b"x" * size
    time = 1_700_000_000_000
    out = bytearray()
    out += struct.pack(">iiq", 0x5A4B534E, 2, 0)  # FileHeader: "ZKSN", version 2, dbid
    out += struct.pack(">i", 0)  # no sessions
    # The ACL cache: 1 is world:anyone:r (/zookeeper/config); -1, world:anyone:cdrwa, is implicit.
    out += struct.pack(">iqi", 1, 1, 1) + struct.pack(">i", 1) + string("world") + string("anyone")
    zxid = 0

    def node(path, acl, czxid, cversion, pzxid, payload):
        nonlocal out
        out += string(path)
        out += struct.pack(">i", len(payload)) + payload
        out += struct.pack(">q", acl)
        out += struct.pack(">qqqqiiiqq", czxid, czxid, time, time, 0, cversion, 0, 0, pzxid)

    last = parents * (children + 1)
    node("", -1, 0, 2, last, b"")
    node("/zookeeper", -1, 0, 2, 0, b"")
    node("/zookeeper/quota", -1, 0, 0, 0, b"")
    node("/zookeeper/config", 1, 0, 0, 0, b"")
    for p in range(parents):
        zxid += 1
        parent_zxid = zxid
        node("/bench%d" % p, -1, parent_zxid, children, parent_zxid + children, b"")
        for c in range(children):
            zxid += 1
            node("/bench%d/n%d" % (p, c), -1, zxid, 0, zxid, data)
    out += string("/")
    out += struct.pack(">q", zlib.adler32(bytes(out)) & 0xFFFFFFFF) + string("/")
    name = os.path.join(directory, "version-2", "snapshot.%x" % zxid)
    with open(name, "wb") as file:
        file.write(out)
    print(name)


def string(text):
    encoded = text.encode()
    return struct.pack(">i", len(encoded)) + encoded


if __name__ == "__main__":
    main()
