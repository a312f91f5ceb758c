#!/usr/bin/env python3
"""The load of `zk bench` driven by kazoo (Python), as a reference.

Creates COUNT znodes of SIZE bytes under BASE, then sets, gets, checks (exists), lists
(get_children) and deletes each, with WINDOW asynchronous requests in flight on one session.
Prints one JSON line per operation with the fields `zk bench --json` uses; CPU time is this
process's user + system time (getrusage), all threads.

usage: kazoo_bench.py HOST:PORT [COUNT [SIZE [WINDOW [BASE]]]]
"""
import collections
import json
import logging
import resource
import sys
import time

from kazoo.client import KazooClient


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    if not 2 <= len(sys.argv) <= 6:
        sys.exit("usage: kazoo_bench.py HOST:PORT [COUNT [SIZE [WINDOW [BASE]]]]")
    host = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    window = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    base = sys.argv[5] if len(sys.argv) > 5 else "/kazoo-bench"
    logging.basicConfig(level=logging.ERROR)
    zk = KazooClient(hosts=host, timeout=30)
    zk.start(timeout=10)
    zk.ensure_path(base)
    paths = [f"{base}/n{i}" for i in range(count)]
    data = bytes(ord("a") + i % 26 for i in range(size))
    operations = [
        ("create", lambda path: zk.create_async(path, data)),
        ("set", lambda path: zk.set_async(path, data)),
        ("get", lambda path: zk.get_async(path)),
        ("exists", lambda path: zk.exists_async(path)),
        ("children", lambda path: zk.get_children_async(path)),
        ("delete", lambda path: zk.delete_async(path)),
    ]
    for name, submit in operations:
        cpu, start = cpu_seconds(), time.monotonic()
        in_flight = collections.deque()
        for path in paths:
            if len(in_flight) >= window:
                in_flight.popleft().get()
            in_flight.append(submit(path))
        while in_flight:
            in_flight.popleft().get()
        elapsed, cpu = time.monotonic() - start, cpu_seconds() - cpu
        print(json.dumps({
            "client": "kazoo", "op": name, "operations": count, "opsPerSecond": count / elapsed,
            "elapsedSeconds": elapsed, "cpuMicrosecondsPerOp": cpu / count * 1e6,
        }), flush=True)
    zk.delete(base)
    zk.stop()
    zk.close()


if __name__ == "__main__":
    main()
