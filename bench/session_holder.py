#!/usr/bin/env python3
"""Holds COUNT ZooKeeper sessions open, each with an ephemeral node and a data watch on it.

Usage: session_holder.py HOST:PORT COUNT TIMEOUT_MS PINGS_PER_TIMEOUT

Speaks the wire protocol directly (asyncio, one process, no thread per session), so that ten
thousand sessions cost the load generator little. Each session connects asking for TIMEOUT_MS,
creates an ephemeral node /sessions/s-<n> (/sessions must exist), sets a watch on it (exists),
then pings PINGS_PER_TIMEOUT times per negotiated timeout when idle: 3 as Apache's Java client
does (every third of the timeout), 12 as this project's client does. Prints one line "ready
<seconds>" once every session holds its node and watch, then runs until stdin closes; a session
that fails ends the process with a one-line error and status 1.
"""
import asyncio
import os
import resource
import struct
import sys
import time


def string(value):
    data = value.encode()
    return struct.pack(">i", len(data)) + data


def frame(payload):
    return struct.pack(">i", len(payload)) + payload


OPEN_ACL = struct.pack(">i", 1) + struct.pack(">i", 31) + string("world") + string("anyone")


async def read_frame(reader):
    (length,) = struct.unpack(">i", await reader.readexactly(4))
    return await reader.readexactly(length)


async def request(reader, writer, xid, op, body):
    writer.write(frame(struct.pack(">ii", xid, op) + body))
    reply = await read_frame(reader)
    reply_xid, _, err = struct.unpack(">iqi", reply[:16])
    if reply_xid != xid or err != 0:
        raise RuntimeError(f"request {op} failed with error {err}")


async def open_session(host, port, index, timeout_ms):
    """Connects and sets up the node and watch; returns the connection and negotiated timeout."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(frame(struct.pack(">iqiq", 0, 0, timeout_ms, 0) + struct.pack(">i", 16) + bytes(16) + b"\0"))
    reply = await read_frame(reader)
    _, negotiated = struct.unpack(">ii", reply[:8])
    path = f"/sessions/s-{index}"
    await request(reader, writer, 1, 1, string(path) + struct.pack(">i", -1) + OPEN_ACL + struct.pack(">i", 1))
    await request(reader, writer, 2, 3, string(path) + b"\1")
    return reader, writer, negotiated


async def keep_alive(reader, writer, negotiated, pings_per_timeout):
    interval = negotiated / 1000 / pings_per_timeout
    while True:
        await asyncio.sleep(interval)
        await request(reader, writer, -2, 11, b"")


async def main():
    address, count, timeout_ms, pings_per_timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    host, port = address.rsplit(":", 1)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    start = time.monotonic()
    tasks = []
    # Connect in waves, so that the server's accept backlog does not overflow.
    for first in range(0, count, 500):
        try:
            wave = await asyncio.gather(*(open_session(host, int(port), n, timeout_ms)
                                          for n in range(first, min(first + 500, count))))
        except Exception as error:
            print(f"session_holder: a session failed to start: {error!r}", file=sys.stderr)
            sys.exit(1)
        tasks += [asyncio.create_task(keep_alive(*connection, pings_per_timeout)) for connection in wave]
    print(f"ready {time.monotonic() - start:.2f}", flush=True)
    stdin = asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    done, _ = await asyncio.wait(tasks + [stdin], return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        if task is not stdin and task.exception():
            print(f"session_holder: a session failed: {task.exception()!r}", file=sys.stderr)
            sys.exit(1)
    # Stdin closed: leave at once, the sessions with the process, without tearing down each task.
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
