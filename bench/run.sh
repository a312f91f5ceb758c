#!/usr/bin/env bash
# Benchmarks zk against Apache ZooKeeper 3.8 and its C (libzookeeper-mt) and Python (kazoo)
# clients, everything on loopback, and writes bench/results.md:
#   (a) one-shot command latency and peak RSS: zk get, the C client (zkc_bench get; cli_mt's
#       batch mode fails its get against 3.8), zkCli.sh;
#   (b) client throughput and client CPU per operation against the same Apache server:
#       zk bench (one call per request, and BATCH requests per batch call), bench/zkc_bench.c,
#       bench/kazoo_bench.py (and zk bench against zk serve);
#   (c) server throughput and server CPU per operation under the same C-client load:
#       zk serve vs Apache, in memory and durable (fsync before each write's reply);
#   (d) scale: ls -R, tree and find over SCALE znodes; WATCHES watches set and fired;
#   (e) ecosystem costs (bench/Microbench): a request without metrics or tracing backends, with
#       metrics, with metrics and tracing; the server's metrics; the shell's JSON writing.
# Figures are medians of RUNS runs. QUICK=1 runs a much shorter version; ZK=PATH measures that
# zk binary instead of a fresh release build.
# Usage: bench/run.sh (or make bench).
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    RUNS=${RUNS:-3} COUNT=${COUNT:-5000} ONESHOT_RUNS=${ONESHOT_RUNS:-5} SCALE=${SCALE:-10000} WATCHES=${WATCHES:-2000}
else
    RUNS=${RUNS:-3} COUNT=${COUNT:-10000} ONESHOT_RUNS=${ONESHOT_RUNS:-15} SCALE=${SCALE:-100000} WATCHES=${WATCHES:-10000}
fi
SIZE=${SIZE:-100}
WINDOW=${WINDOW:-100}
# Requests per call of zk bench's batch-call runs.
BATCH=${BATCH:-25}
# Concurrent C-client processes loading a server in (c).
LOADERS=${LOADERS:-4}
# Fewer operations per loader when every write waits for fsync.
DURABLE_COUNT=${DURABLE_COUNT:-$((COUNT / 4))}

log() { echo "bench: $*" >&2; }

# --- What it needs: the packages `make deps` installs, plus the C client's headers and hyperfine.
APT_PACKAGES="libedit-dev zookeeper zookeeper-bin libzookeeper-mt-dev hyperfine time gcc"
missing=""
for package in $APT_PACKAGES; do dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"; done
if [ -n "$missing" ]; then
    log "installing:$missing"
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >&2
fi
python3 -c 'import kazoo' 2>/dev/null || python3 -m pip install -q kazoo >&2

# ZK=/path/to/zk measures that build instead of building one.
if [ -z "${ZK:-}" ]; then
    log "building zk (release)"
    make -s release >&2
    ZK=$PWD/.build/release/zk
fi
WORK=$(mktemp -d /tmp/zk-bench.XXXXXX)
# Apache's in-memory stand-in keeps its dataDir on tmpfs.
SHM_DATA=/dev/shm/zk-bench-$$-mem
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$WORK" "$SHM_DATA"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
gcc -O2 -Wall -o "$WORK/zkc_bench" bench/zkc_bench.c -lzookeeper_mt -lpthread
ZKC=$WORK/zkc_bench
ZKCLI=/usr/share/zookeeper/bin/zkCli.sh
RAW=$WORK/raw.jsonl
: >"$RAW"
unset ZK_SERVER ZOOKEEPER_CONNECT # zk gets its server from -s only

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)

. bench/servers.sh

# start_apache NAME DATADIR FORCESYNC: Apache ZooKeeper standalone; sets SERVER_PID, SERVER.
start_apache() {
    local dir=$WORK/$1 port
    port=$(free_port)
    mkdir -p "$dir" "$2"
    cat >"$dir/zoo.cfg" <<CFG
tickTime=2000
dataDir=$2
clientPort=$port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=*
forceSync=$3
CFG
    java -Xms512m -Xmx1g -Dzookeeper.root.logger=WARN,CONSOLE -Dzookeeper.jmx.log4j.disable=true \
        -cp "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/netty-codec.jar:/usr/share/java/netty-resolver.jar" \
        org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg" >"$dir/log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    SERVER=127.0.0.1:$port
    wait_serving "$port"
}

# start_zkserve NAME [--data-dir DIR]: zk serve; sets SERVER_PID, SERVER.
start_zkserve() {
    local dir=$WORK/$1 port
    shift
    port=$(free_port)
    mkdir -p "$dir"
    "$ZK" serve --port "$port" --max-client-connections 0 --4lw-whitelist '*' "$@" 2>"$dir/log" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    SERVER=127.0.0.1:$port
    wait_serving "$port"
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}

# The CPU seconds (user + system) process $1 has used.
cpu_of() { awk -v tick="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / tick }' "/proc/$1/stat"; }

# record KEY=VALUE...: appends each JSON line of stdin to the raw results, with these fields added.
# warm_up: one untimed C-client load, so that the JVM has compiled its hot paths before timing
# (quiet: a server just started may drop the first connection, which the C client logs and retries).
warm_up() {
    "$ZKC" "$SERVER" "$1" "$SIZE" "$WINDOW" /warm-up >/dev/null 2>&1
}

record() {
    python3 -c '
import json, sys
extra = dict(arg.split("=", 1) for arg in sys.argv[1:])
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{"):
        obj = json.loads(line)
        for result in obj.pop("results", [obj]):
            print(json.dumps({**extra, **result}))
' "$@" >>"$RAW"
}

# --- (a) One-shot commands against Apache.
start_apache apache-mem "$SHM_DATA" no
APACHE_MEM_PID=$SERVER_PID APACHE_MEM=$SERVER
warm_up "$COUNT"
warm_up "$COUNT"
"$ZK" -s "$APACHE_MEM" create /x hello >/dev/null
# Apache compiles its session path (JIT) over its first few hundred sessions: warm it up untimed,
# then time zk and the C client in RUNS rounds of 2 x ONESHOT_RUNS runs each, taking turns to go
# first, so that neither meets a colder or a busier server than the other.
log "(a) one-shot get: zk and the C client ($RUNS rounds of $((ONESHOT_RUNS * 2)) runs), zkCli.sh ($ONESHOT_RUNS runs)"
oneshot() {
    local name=$1 runs=$2
    shift 2
    hyperfine -N --warmup 2 --runs "$runs" --export-json "$WORK/hf.json" -- "$*" >/dev/null 2>&1
    local rss=()
    for _ in $(seq 5); do
        /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >/dev/null 2>&1
        rss+=("$(tail -1 "$WORK/rss")")
    done
    python3 -c '
import json, statistics, sys
result = json.load(open(sys.argv[1]))["results"][0]
print(json.dumps({"tool": sys.argv[2], "medianSeconds": result["median"],
                  "peakRSSKiB": statistics.median(int(x) for x in sys.argv[3:])}))' "$WORK/hf.json" "$name" "${rss[@]}" |
        record section=oneshot
}
for _ in $(seq 300); do "$ZKC" "$APACHE_MEM" get /x >/dev/null; done
for round in $(seq "$RUNS"); do
    if [ $((round % 2)) = 1 ]; then
        oneshot "zk get" $((ONESHOT_RUNS * 2)) "$ZK" -s "$APACHE_MEM" get /x
        oneshot "C client get" $((ONESHOT_RUNS * 2)) "$ZKC" "$APACHE_MEM" get /x
    else
        oneshot "C client get" $((ONESHOT_RUNS * 2)) "$ZKC" "$APACHE_MEM" get /x
        oneshot "zk get" $((ONESHOT_RUNS * 2)) "$ZK" -s "$APACHE_MEM" get /x
    fi
    # --timeout 30 (the default) sends the same get through the argument parser and the full client.
    oneshot "zk get, full client" $((ONESHOT_RUNS * 2)) "$ZK" -s "$APACHE_MEM" --timeout 30 get /x
    # The stat, as text and as JSON (written by JSONEncoder).
    oneshot "zk get -s" $((ONESHOT_RUNS * 2)) "$ZK" -s "$APACHE_MEM" get -s /x
    oneshot "zk --json get -s" $((ONESHOT_RUNS * 2)) "$ZK" -s "$APACHE_MEM" --json get -s /x
done
oneshot "zkCli.sh get" "$ONESHOT_RUNS" "$ZKCLI" -server "$APACHE_MEM" get /x

# --- (b) Clients against the same Apache server.
log "(b) client throughput against Apache: zk bench (one call per request, and batch calls), zkc_bench, kazoo ($RUNS runs, $COUNT znodes)"
for run in $(seq "$RUNS"); do
    "$ZK" -s "$APACHE_MEM" bench --json --count "$COUNT" --size "$SIZE" --window "$WINDOW" \
        --ops create,set,get,exists,children,delete | record section=client client=zk server=apache run="$run"
    "$ZK" -s "$APACHE_MEM" bench --json --count "$COUNT" --size "$SIZE" --window "$WINDOW" --batch "$BATCH" \
        --ops create,set,get,exists,children,delete | record section=client client=zk-batch server=apache run="$run"
    "$ZKC" "$APACHE_MEM" "$COUNT" "$SIZE" "$WINDOW" | record section=client client=c server=apache run="$run"
    python3 bench/kazoo_bench.py "$APACHE_MEM" "$COUNT" "$SIZE" "$WINDOW" |
        record section=client client=kazoo server=apache run="$run"
done

# --- (c) Servers under the same C-client load; (b) also: zk bench against zk serve.
# LOADERS zkc_bench processes at once; server CPU from /proc before and after.
server_load() {
    local name=$1 count=$2
    local cpu start
    cpu=$(cpu_of "$SERVER_PID")
    start=$(date +%s.%N)
    local loaders=()
    for loader in $(seq "$LOADERS"); do
        "$ZKC" "$SERVER" "$count" "$SIZE" "$WINDOW" "/load-$loader" >/dev/null &
        loaders+=($!)
    done
    for pid in "${loaders[@]}"; do
        wait "$pid" || { log "a C client failed against $name"; exit 1; }
    done
    python3 -c '
import json, sys
elapsed = float(sys.argv[1]) - float(sys.argv[2])
cpu = float(sys.argv[3]) - float(sys.argv[4])
ops = int(sys.argv[5]) * int(sys.argv[6]) * 6
print(json.dumps({"operations": ops, "opsPerSecond": ops / elapsed, "elapsedSeconds": elapsed,
                  "serverCPUMicrosecondsPerOp": cpu / ops * 1e6}))' \
        "$(date +%s.%N)" "$start" "$(cpu_of "$SERVER_PID")" "$cpu" "$LOADERS" "$count" |
        record section=server server="$name"
}

log "(c) server throughput, in memory: zk serve vs Apache ($LOADERS C clients x $COUNT znodes x 6 ops, $RUNS runs)"
start_zkserve zkserve-mem
ZKSERVE_MEM_PID=$SERVER_PID ZKSERVE_MEM=$SERVER
warm_up "$COUNT"
for run in $(seq "$RUNS"); do
    SERVER_PID=$ZKSERVE_MEM_PID SERVER=$ZKSERVE_MEM server_load zkserve-mem "$COUNT"
    SERVER_PID=$APACHE_MEM_PID SERVER=$APACHE_MEM server_load apache-mem "$COUNT"
    "$ZK" -s "$ZKSERVE_MEM" bench --json --count "$COUNT" --size "$SIZE" --window "$WINDOW" \
        --ops create,set,get,exists,children,delete | record section=client client=zk server=zkserve run="$run"
done
# --- (d) Scale, on both servers (in memory).
log "(d) scale: $SCALE znodes (ls -R, tree, find), $WATCHES watches"
scale() {
    local name=$1
    "$ZK" -s "$SERVER" bench --json --count "$SCALE" --size 10 --window "$WINDOW" --path /scale --ops create --keep |
        record section=scale server="$name"
    for command in "ls -R /scale" "tree /scale" "find /scale"; do
        local start
        start=$(date +%s.%N)
        # shellcheck disable=SC2086
        lines=$("$ZK" -s "$SERVER" $command | wc -l)
        python3 -c 'import json, sys; print(json.dumps({"op": sys.argv[1], "elapsedSeconds": float(sys.argv[2]) - float(sys.argv[3]), "lines": int(sys.argv[4])}))' \
            "zk $command" "$(date +%s.%N)" "$start" "$lines" | record section=scale server="$name"
    done
    local start
    start=$(date +%s.%N)
    lines=$("$ZKCLI" -server "$SERVER" ls -R /scale 2>/dev/null | wc -l)
    python3 -c 'import json, sys; print(json.dumps({"op": sys.argv[1], "elapsedSeconds": float(sys.argv[2]) - float(sys.argv[3]), "lines": int(sys.argv[4])}))' \
        "zkCli.sh ls -R /scale" "$(date +%s.%N)" "$start" "$lines" | record section=scale server="$name"
    "$ZK" -s "$SERVER" deleteall --force /scale
    "$ZK" -s "$SERVER" bench --json --count "$WATCHES" --size 10 --window "$WINDOW" --path /watches --ops watch,notify |
        record section=scale server="$name"
}
SERVER_PID=$ZKSERVE_MEM_PID SERVER=$ZKSERVE_MEM scale zkserve-mem
SERVER_PID=$APACHE_MEM_PID SERVER=$APACHE_MEM scale apache-mem
SERVER_PID=$ZKSERVE_MEM_PID stop_server
SERVER_PID=$APACHE_MEM_PID stop_server
rm -rf "$SHM_DATA"

log "(c) server throughput, durable: zk serve --data-dir vs Apache with fsync ($LOADERS x $DURABLE_COUNT znodes)"
start_zkserve zkserve-disk --data-dir "$WORK/zkserve-data"
ZKSERVE_DISK_PID=$SERVER_PID ZKSERVE_DISK=$SERVER
warm_up "$DURABLE_COUNT"
start_apache apache-disk "$WORK/apache-data" yes
APACHE_DISK_PID=$SERVER_PID APACHE_DISK=$SERVER
warm_up "$DURABLE_COUNT"
warm_up "$DURABLE_COUNT"
for run in $(seq "$RUNS"); do
    SERVER_PID=$ZKSERVE_DISK_PID SERVER=$ZKSERVE_DISK server_load zkserve-disk "$DURABLE_COUNT"
    SERVER_PID=$APACHE_DISK_PID SERVER=$APACHE_DISK server_load apache-disk "$DURABLE_COUNT"
done
SERVER_PID=$ZKSERVE_DISK_PID stop_server
SERVER_PID=$APACHE_DISK_PID stop_server

# --- (e) What metrics, tracing and the shell's JSON writing cost, in process (bench/Microbench).
log "(e) ecosystem costs: requests without and with metrics and tracing, the server's metrics, JSON"
make -s microbench >&2
# Many short rounds (each in another order) rather than a few long ones: the machine's drift
# then falls on every client alike.
"$PWD/.build/release/ZooKeeperMicrobench" "$((COUNT / 5))" "$((RUNS * 5))" | record section=ecosystem

python3 bench/report.py "$RAW" \
    "count=$COUNT size=$SIZE window=$WINDOW batch=$BATCH runs=$RUNS oneshot_runs=$ONESHOT_RUNS loaders=$LOADERS durable_count=$DURABLE_COUNT scale=$SCALE watches=$WATCHES quick=$QUICK load_before=$LOAD_BEFORE load_after=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" \
    >bench/results.md
cp "$RAW" bench/results.jsonl
log "wrote bench/results.md"
