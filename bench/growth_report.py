#!/usr/bin/env python3
"""Writes bench/growth-results.md (to stdout) from bench/growth.sh's raw JSON lines.

Usage: growth_report.py RAW.jsonl "key=value ..." (the run's parameters).
"""
import datetime
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
params = dict(item.split("=", 1) for item in sys.argv[2].split())


def find(section, server, **match):
    for row in rows:
        if row["section"] == section and row["server"] == server and all(row[k] == v for k, v in match.items()):
            return row
    return None


def ratio(ours, theirs):
    return f"{ours / theirs:.2f}×" if theirs else "–"


def after_drop(cells, server):
    times = [cells[server, pings].get("answeredAfterCloseSeconds") for pings in (3, 12)]
    return f"{sum(times) / 2:.2f}" if None not in times else "–"


def snapshots(row):
    return f"{int(row['snapshotsDuringLoad'])}" if "snapshotsDuringLoad" in row else "–"


def number(value, digits=0):
    return f"{value:,.{digits}f}"


print("# How the servers grow\n")
print(f"Run by `make bench` (bench/growth.sh) on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
      f"2 cores shared by servers and load; load average {params['load_before'].replace(',', ' ')} before, "
      f"{params['load_after'].replace(',', ' ')} after. One run per figure. Both servers durable "
      "(fsync before each write's reply), standalone, on loopback; zk serve with `--data-dir`, "
      "Apache ZooKeeper 3.8 with `forceSync=yes` and 3 GB of heap. Raw figures: bench/growth-results.jsonl.\n")

print("## With the number of znodes\n")
print(f"Znodes of 100 bytes created by `zk bench --keep` (4 sessions). Throughput and server CPU under "
      f"`zk bench` (4 sessions, 250 requests in flight each, {int(float(params['load'])):,} znodes of 100 bytes, "
      "create, set, get, delete); client CPU is zk bench's own. Server CPU counts the snapshots a server began "
      "during the load (each snapshots after 100,000 transactions, Apache at a random count between 50,000 and "
      "100,000, counted from its last snapshot: the creates before the load decide whether one falls within it). "
      "p99: one request at a time "
      f"(`zk bench --latency`, {params['latency']} sets and gets). Restart: from start until srvr names the mode, "
      "on the data directory just written. p99 during snapshots: sets one at a time on the restarted server, "
      f"which snapshots every {params['snap']} transactions. Memory: zk serve's RSS growth once settled (after "
      "the snapshot a run's last creates may start: its copy of what changed meanwhile is freed when it is on "
      "disk), Apache's retained heap growth (after a full GC) per znode.\n")
print("| znodes | zk serve ops/s | Apache ops/s | ratio | zk serve CPU µs/op | Apache CPU µs/op | ratio "
      "| zk bench CPU µs/op (vs zk serve / Apache) | p99 ms zk serve / Apache | p99 ms during snapshots zk serve / Apache "
      "| snapshots during the load zk serve / Apache "
      "| restart s zk serve / Apache | ratio | bytes/znode zk serve / Apache | ratio |")
print("|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|---:|---|---:|")
counts = sorted({row["znodes"] for row in rows if row["section"] == "znodes"})
for count in counts:
    ours, theirs = find("znodes", "zkserve", znodes=count), find("znodes", "apache", znodes=count)
    if not ours or not theirs:
        continue
    per = [(r["memoryAfter"] - r["memoryBefore"]) / count for r in (ours, theirs)]
    print(f"| {int(count):,} | {number(ours['opsPerSecond'])} | {number(theirs['opsPerSecond'])} "
          f"| {ratio(ours['opsPerSecond'], theirs['opsPerSecond'])} "
          f"| {number(ours['serverCPUMicrosecondsPerOp'], 1)} | {number(theirs['serverCPUMicrosecondsPerOp'], 1)} "
          f"| {ratio(ours['serverCPUMicrosecondsPerOp'], theirs['serverCPUMicrosecondsPerOp'])} "
          f"| {number(ours['clientCPUMicrosecondsPerOp'], 1)} / {number(theirs['clientCPUMicrosecondsPerOp'], 1)} "
          f"| {ours['p99Milliseconds']:.2f} / {theirs['p99Milliseconds']:.2f} "
          f"| {ours['p99DuringSnapshotsMilliseconds']:.2f} / {theirs['p99DuringSnapshotsMilliseconds']:.2f} "
          f"| {snapshots(ours)} / {snapshots(theirs)} "
          f"| {ours['restartSeconds']:.2f} / {theirs['restartSeconds']:.2f} "
          f"| {ratio(ours['restartSeconds'], theirs['restartSeconds'])} "
          f"| {number(per[0])} / {number(per[1])} | {ratio(per[0], per[1])} |")

print("\n## With the number of sessions\n")
print(f"Each session (bench/session_holder.py: the wire protocol from one asyncio process) holds an ephemeral "
      f"node and a data watch, with a session timeout of {int(float(params['session_timeout'])) // 1000} s, and "
      "pings when idle: every third of the timeout, as Apache's Java client does, or every twelfth, as this "
      "project's client does (4× the pings). Memory: growth of zk serve's RSS and of Apache's retained heap "
      f"(after a full GC) per session. Idle CPU: the server's CPU over {params['idle']} s in which the sessions "
      "only ping, in milliseconds per second. After all connections drop at once (the holder exits): seconds "
      "until a `zk get` is answered, the mean of the two runs (their sessions live on until they expire).\n")
print("| sessions | bytes/session zk serve / Apache | ratio | idle CPU ms/s, pings every ⅓: zk serve / Apache "
      "| idle CPU ms/s, pings every 1/12: zk serve / Apache | s until a read is answered after all drop: "
      "zk serve / Apache |")
print("|---:|---|---:|---|---|---|")
sessions = sorted({row["sessions"] for row in rows if row["section"] == "sessions"})
for count in sessions:
    cells = {}
    for server in ("zkserve", "apache"):
        for pings in (3, 12):
            cells[server, pings] = find("sessions", server, sessions=count, pingsPerTimeout=pings)
    if None in cells.values():
        continue
    per = [(cells[s, 3]["memoryAfter"] - cells[s, 3]["memoryBefore"]) / count for s in ("zkserve", "apache")]
    idle = {key: row["idleCPUMillisecondsPerSecond"] for key, row in cells.items()}
    print(f"| {int(count):,} | {number(per[0])} / {number(per[1])} | {ratio(per[0], per[1])} "
          f"| {idle['zkserve', 3]:.1f} / {idle['apache', 3]:.1f} | {idle['zkserve', 12]:.1f} / {idle['apache', 12]:.1f} "
          f"| {after_drop(cells, 'zkserve')} / {after_drop(cells, 'apache')} |")

print("\n## Against the goals\n")
largest = counts[-1] if counts else None
if largest:
    ours, theirs = find("znodes", "zkserve", znodes=largest), find("znodes", "apache", znodes=largest)
    if ours and theirs:
        print(f"- zk serve restarts with {int(largest):,} znodes in under 1 s: {ours['restartSeconds']:.2f} s "
              f"(Apache {theirs['restartSeconds']:.2f} s).")
        print(f"- p99 during snapshots within 2× of normal p99 ({int(largest):,} znodes): zk serve "
              f"{ours['p99DuringSnapshotsMilliseconds']:.2f} ms vs {ours['p99Milliseconds']:.2f} ms "
              f"({ratio(ours['p99DuringSnapshotsMilliseconds'], ours['p99Milliseconds'])}); Apache "
              f"{theirs['p99DuringSnapshotsMilliseconds']:.2f} ms vs {theirs['p99Milliseconds']:.2f} ms "
              f"({ratio(theirs['p99DuringSnapshotsMilliseconds'], theirs['p99Milliseconds'])}).")
        per = [(r["memoryAfter"] - r["memoryBefore"]) / largest for r in (ours, theirs)]
        print(f"- bytes per znode at most 0.6× Apache's: {ratio(per[0], per[1])}.")
        print(f"- ≥ 4× Apache's throughput at ≤ 0.10× its server CPU per op: "
              f"{ratio(ours['opsPerSecond'], theirs['opsPerSecond'])} the throughput, "
              f"{ratio(ours['serverCPUMicrosecondsPerOp'], theirs['serverCPUMicrosecondsPerOp'])} the CPU per op.")
if sessions:
    count = sessions[-1]
    ours, theirs = find("sessions", "zkserve", sessions=count, pingsPerTimeout=3), find(
        "sessions", "apache", sessions=count, pingsPerTimeout=3)
    if ours and theirs:
        print(f"- {int(count):,} sessions cost zk serve under 0.3× Apache's memory: "
              f"{ratio(ours['memoryAfter'] - ours['memoryBefore'], theirs['memoryAfter'] - theirs['memoryBefore'])}.")
