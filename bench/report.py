#!/usr/bin/env python3
"""Writes bench/results.md (on stdout) from the raw JSON lines bench/run.sh collects.

usage: report.py RAW.jsonl "PARAMETERS"
"""
import collections
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

OPS = ["create", "set", "get", "exists", "children", "delete"]


def command_output(*command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        return (result.stdout + result.stderr).strip()
    except OSError:
        return "?"


def machine():
    model = "?"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        memory = int(meminfo.readline().split()[1]) // (1024 * 1024)
    java = command_output("java", "-version").splitlines()[0]
    swift = command_output("swift", "--version").splitlines()[0]
    apache = command_output("dpkg-query", "-W", "-f=${Version}", "zookeeper")
    return (f"{os.cpu_count()} × {model}, {memory} GiB, Linux {platform.release()}; "
            f"Apache ZooKeeper {apache} (Debian), {java}; {swift}")


class Results:
    def __init__(self, path):
        self.groups = collections.defaultdict(list)
        with open(path) as raw:
            for line in raw:
                record = json.loads(line)
                key = (record.get("section"), record.get("client"), record.get("server"),
                       record.get("op") or record.get("tool"))
                self.groups[key].append(record)

    def median(self, field, section, client=None, server=None, op=None):
        values = [r[field] for r in self.groups.get((section, client, server, op), []) if field in r]
        return statistics.median(values) if values else None

    def client(self, client, server, op):
        """A client's median throughput (ops/s) and CPU per operation (µs) for one operation."""
        return (self.median("opsPerSecond", "client", client, server, op),
                self.median("cpuMicrosecondsPerOp", "client", client, server, op))


def number(value, digits=0):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def ratio(a, b):
    return f"{a / b:.2f}×" if a is not None and b else "–"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main():
    results = Results(sys.argv[1])
    parameters = dict(item.split("=", 1) for item in sys.argv[2].split())
    out = []
    say = out.append
    say("# Benchmarks")
    say("")
    say(f"Run by `make bench` (bench/run.sh{' with QUICK=1' if parameters['quick'] == '1' else ''}) on "
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC. Machine: {machine()}.")
    say("")
    say(f"Everything on loopback on this one machine, clients and servers sharing its cores (load average "
        f"{parameters['load_before'].replace(',', ' ')} before the run, {parameters['load_after'].replace(',', ' ')} "
        f"after: other work was running, so take differences under ~20% as noise). Each figure is the "
        f"median of {parameters['runs']} runs (one-shot commands: of the medians of {parameters['runs']} rounds of {int(parameters['oneshot_runs']) * 2} "
        f"hyperfine runs of `zk` and the C client, taking turns to go first, after 300 untimed sessions; of "
        f"{parameters['oneshot_runs']} runs of `zkCli.sh`; peak RSS of 5 per round). Loads: "
        f"{parameters['count']} znodes of {parameters['size']} bytes, {parameters['window']} requests in flight "
        f"per session. Apache ZooKeeper runs standalone, warmed up by an untimed load first (`forceSync=no`, dataDir on tmpfs, for \"in memory\"; "
        f"dataDir on disk with fsync for \"durable\"); zk serve in memory, or with `--data-dir` on disk "
        f"(fsync before each write's reply). The raw figures are in bench/results.jsonl.")
    say("")

    # (a)
    say("## One-shot command: `get /x` against Apache ZooKeeper")
    say("")
    reference = results.median("medianSeconds", "oneshot", op="C client get")
    rows = []
    names = {"zk get": "`zk get`", "zk get, full client": "`zk --timeout 30 get` (the full client)",
             "zk get -s": "`zk get -s` (data and stat, as text)", "zk --json get -s": "`zk --json get -s` (as JSON)",
             "C client get": "C client (`zkc_bench HOST get /x`)", "zkCli.sh get": "`zkCli.sh get`"}
    for tool, name in names.items():
        seconds = results.median("medianSeconds", "oneshot", op=tool)
        rss = results.median("peakRSSKiB", "oneshot", op=tool)
        rows.append([name, number(seconds and seconds * 1000, 1), number(rss and rss / 1024, 1),
                     ratio(seconds, reference)])
    say(table(["command", "median wall ms", "peak RSS MiB", "time vs C client"], rows))
    say("")
    say("A plain one-shot read (`get`, `ls`, `stat`, `exists` without `-w`, credentials or TLS) runs on one "
        "blocking socket, without the argument parser or the event-loop client; any other option, such as "
        "`--timeout 30` (the default), sends it through both, as every other command goes. The release build is "
        "a static executable (`make release`).")
    say("")
    say("`cli_mt -h HOST -c 'get /x'` (the C client's shell) is not in the table: its batch mode answers the get "
        "with a connection loss (rc -4) against this Apache ZooKeeper 3.8, whether stdin is at its end or held "
        "open, so bench/zkc_bench.c's `get` mode stands in for the C client: connect, wait for the session, "
        "`zoo_get`, print, close.")
    say("")

    # (b)
    say("## Client throughput and client CPU against the same Apache server")
    say("")
    say("One session each: `zk bench` (this library's `ZooKeeperClient`), bench/zkc_bench.c (libzookeeper-mt, "
        "asynchronous API) and bench/kazoo_bench.py (kazoo's `*_async`). CPU is the client process's user + "
        "system time per operation (getrusage). The last columns: `zk bench` against `zk serve` instead.")
    say("")
    rows, batch_rows = [], []
    for op in OPS:
        zk, zk_cpu = results.client("zk", "apache", op)
        c, c_cpu = results.client("c", "apache", op)
        kazoo, kazoo_cpu = results.client("kazoo", "apache", op)
        own, _ = results.client("zk", "zkserve", op)
        batch, batch_cpu = results.client("zk-batch", "apache", op)
        rows.append([op, number(zk), number(c), number(kazoo), ratio(zk, c), number(zk_cpu, 1), number(c_cpu, 1),
                     number(kazoo_cpu, 1), ratio(zk_cpu, c_cpu), number(own), ratio(own, c)])
        batch_rows.append([op, number(batch), ratio(batch, c), number(batch_cpu, 1), ratio(batch_cpu, c_cpu),
                           ratio(batch_cpu, zk_cpu)])
    say(table(["op", "zk ops/s", "C ops/s", "kazoo ops/s", "zk / C", "zk CPU µs/op", "C CPU µs/op",
               "kazoo CPU µs/op", "zk CPU / C CPU", "zk → zk serve ops/s", "vs C → Apache"], rows))
    say("")
    per_call = int(parameters["batch"])
    say(f"The same load through the client's batch calls (`zk bench --batch {per_call}`: {per_call} requests per "
        f"call, {max(1, int(parameters['window']) // per_call)} calls in flight, so again {parameters['window']} "
        "requests in flight), against the same Apache server in the same runs:")
    say("")
    say(table(["op", "zk batch ops/s", "batch / C", "batch CPU µs/op", "batch CPU / C CPU",
               "batch CPU / one call per request"], batch_rows))
    say("")

    # (c)
    say("## Server throughput and server CPU under the same C-client load")
    say("")
    say(f"{parameters['loaders']} bench/zkc_bench.c processes at once, each running create, set, get, exists, "
        f"getChildren and delete over its own {parameters['count']} znodes ({parameters['durable_count']} when "
        f"durable); throughput is all their operations over the wall time, server CPU the server process's "
        f"utime + stime from /proc/PID/stat over the run, per operation.")
    say("")
    rows = []
    for mode in ["mem", "disk"]:
        zk = results.median("opsPerSecond", "server", server=f"zkserve-{mode}")
        apache = results.median("opsPerSecond", "server", server=f"apache-{mode}")
        zk_cpu = results.median("serverCPUMicrosecondsPerOp", "server", server=f"zkserve-{mode}")
        apache_cpu = results.median("serverCPUMicrosecondsPerOp", "server", server=f"apache-{mode}")
        name = "in memory" if mode == "mem" else "durable (fsync)"
        rows.append([name, number(zk), number(apache), ratio(zk, apache), number(zk_cpu, 1), number(apache_cpu, 1),
                     ratio(zk_cpu, apache_cpu)])
    say(table(["mode", "zk serve ops/s", "Apache ops/s", "zk serve / Apache", "zk serve CPU µs/op",
               "Apache CPU µs/op", "CPU ratio"], rows))
    say("")

    # (d)
    say("## Scale")
    say("")
    say(f"{parameters['scale']} znodes under /scale (created by `zk bench --keep`), then walked by one-shot "
        f"commands; {parameters['watches']} data watches set by one session (`zk bench --ops watch,notify`) and "
        f"fired by sets from another (notify: until every event has arrived).")
    say("")
    rows = []
    walks = [f"zk ls -R /scale", "zk tree /scale", "zk find /scale", "zkCli.sh ls -R /scale"]
    for op in ["create"] + walks + ["watch", "notify"]:
        row = [f"`{op}`" if op in walks else ("create" if op == "create" else f"{op} ({parameters['watches']})")]
        for server in ["zkserve-mem", "apache-mem"]:
            if op in walks:
                row.append(number(results.median("elapsedSeconds", "scale", server=server, op=op), 2) + " s")
            else:
                row.append(number(results.median("opsPerSecond", "scale", server=server, op=op)) + " ops/s")
        rows.append(row)
    say(table(["what", "zk serve", "Apache"], rows))
    say("")

    # (e)
    say("## Ecosystem costs (bench/Microbench)")
    say("")
    say(f"In one process: {int(parameters['count']) // 5} sequential `getData` calls of 100 bytes on the embedded "
        f"server per run, {int(parameters['runs']) * 5} runs each, taking turns, by three clients on one event loop "
        "(the server on another): one made without metrics or tracing backends (it then has no instruments: its "
        "request path checks one optional), one with swift-prometheus's metrics factory, and one with that and an "
        "in-memory tracer; recording the server's `mntr` figures into swift-prometheus; writing the JSON of `zk "
        "--json get -s` with JSONEncoder. The one-shot table above has the JSON path end to end.")
    say("")
    no_backends = results.median("microsecondsPerOp", "ecosystem", op="getData, no backends")
    rows = []
    for record in results.groups.items():
        (section, _, _, op), _ = record
        if section != "ecosystem":
            continue
        value = results.median("microsecondsPerOp", "ecosystem", op=op)
        rows.append([op, number(value, 2), ratio(value, no_backends) if op.startswith("getData") else "–"])
    say(table(["what", "µs per call", "vs no backends"], rows))
    say("")

    # Targets
    say("## Against the targets")
    say("")
    zk_get = results.median("medianSeconds", "oneshot", op="zk get")
    say(f"- One-shot `zk get` no slower than the C client: {number(zk_get and zk_get * 1000, 1)} ms vs "
        f"{number(reference and reference * 1000, 1)} ms ({ratio(zk_get, reference)}).")
    for op in OPS:
        zk, zk_cpu = results.client("zk", "apache", op)
        c, c_cpu = results.client("c", "apache", op)
        batch, batch_cpu = results.client("zk-batch", "apache", op)
        own, _ = results.client("zk", "zkserve", op)
        say(f"- {op}: our client ≥ C client throughput against Apache with ≤ ¼ of its CPU/op: {ratio(zk, c)} the "
            f"throughput, {ratio(zk_cpu, c_cpu)} the CPU/op (batch calls: {ratio(batch, c)}, "
            f"{ratio(batch_cpu, c_cpu)}); our client with zk serve ≥ 5× the C client with Apache: {ratio(own, c)}.")
    zk = results.median("opsPerSecond", "server", server="zkserve-mem")
    apache = results.median("opsPerSecond", "server", server="apache-mem")
    zk_cpu = results.median("serverCPUMicrosecondsPerOp", "server", server="zkserve-mem")
    apache_cpu = results.median("serverCPUMicrosecondsPerOp", "server", server="apache-mem")
    say(f"- zk serve ≥ 2× Apache throughput under the same C-client load with ≤ ⅕ of its CPU/op (in memory): "
        f"{ratio(zk, apache)} the throughput, {ratio(zk_cpu, apache_cpu)} the CPU/op.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
