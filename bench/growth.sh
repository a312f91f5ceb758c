#!/usr/bin/env bash
# How zk serve and Apache ZooKeeper 3.8 grow, both durable (fsync before each write's reply), on
# loopback, and writes bench/growth-results.md:
#   (a) with ZNODES znodes of 100 bytes (zk bench --keep, 4 sessions): memory (zk serve's RSS,
#       Apache's retained heap after a full GC and its RSS), throughput and server CPU per op
#       under the issue's load (zk bench: 4 sessions, 250 requests in flight each, LOAD znodes
#       of 100 bytes, create/set/get/delete), p99 latency of one request at a time (zk bench
#       --latency: sets and gets), restart time (stopped, then started on its data directory
#       with a snapshot every SNAP transactions, until srvr names its mode), and the p99 of sets
#       while that server snapshots every SNAP transactions;
#   (b) with SESSIONS sessions, each holding an ephemeral node and a watch (bench/session_holder.py):
#       the server's memory for them and its idle CPU while they only ping, every third of the
#       session timeout (as Apache's Java client does) and every twelfth (as this project's
#       client does), over IDLE seconds.
# One run per figure (each size takes minutes). QUICK=1: 10k and 100k znodes, 100 and 1k sessions.
# ZK=PATH measures that zk binary instead of a fresh release build. Usage: bench/growth.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    ZNODES=${ZNODES:-"10000 100000"} SESSIONS=${SESSIONS:-"100 1000"} LOAD=${LOAD:-5000} IDLE=${IDLE:-10}
else
    ZNODES=${ZNODES:-"10000 100000 1000000"} SESSIONS=${SESSIONS:-"100 1000 10000"} LOAD=${LOAD:-20000} IDLE=${IDLE:-30}
fi
LATENCY=${LATENCY:-2000}
SNAP=${SNAP:-2000}
# Which servers to measure (zkserve, apache).
KINDS=${KINDS:-"zkserve apache"}
SESSION_TIMEOUT=${SESSION_TIMEOUT:-30000}
log() { echo "bench: $*" >&2; }

. bench/servers.sh
bench_setup /tmp/zk-growth.XXXXXX
RAW=$WORK/raw.jsonl
: >"$RAW"
unset ZK_SERVER ZOOKEEPER_CONNECT
ulimit -n "$(ulimit -Hn)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)
cpu_of() { awk -v tick="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / tick }' "/proc/$1/stat"; }
rss_bytes() { awk '/VmRSS/ { print $2 * 1024 }' "/proc/$1/status"; }
heap_bytes() { jcmd "$1" GC.class_histogram | awk '/^Total/ { print $3 }'; }
# zk serve's RSS once it has settled: a snapshot written in the background holds a copy of what
# the writes since it began changed, freed when it is on disk (the last create of a run can fall
# on a snapshot), so wait until the RSS has stopped falling for three seconds (at most 60).
settled_rss() {
    local previous current steady=0 tries=0
    previous=$(rss_bytes "$SERVER_PID")
    while [ "$steady" -lt 3 ] && [ "$tries" -lt 60 ]; do
        sleep 1
        current=$(rss_bytes "$SERVER_PID")
        if [ "$current" -lt $((previous - previous / 100)) ]; then steady=0; else steady=$((steady + 1)); fi
        previous=$current
        tries=$((tries + 1))
    done
    echo "$previous"
}
# Apache's retained heap (after the full GC the histogram makes), zk serve's settled RSS.
memory_of() { if [ "$KIND" = apache ]; then heap_bytes "$SERVER_PID"; else settled_rss; fi; }
zkb() { "$ZK" -s "$SERVER" --connect-timeout 120 bench --json "$@"; }

# emit KEY=VALUE...: one JSON object of these fields (numbers where they parse).
emit() {
    python3 -c '
import json, sys
def value(text):
    try: return float(text)
    except ValueError: return text
print(json.dumps({k: value(v) for k, v in (arg.split("=", 1) for arg in sys.argv[1:])}))' "$@" >>"$RAW"
}


# start KIND DATADIR SNAPCOUNT: a durable server of KIND (zkserve or apache) on DATADIR; sets
# SERVER_PID, SERVER, PORT, KIND and STARTUP (seconds until it served).
start() {
    KIND=$1
    PORT=$(free_port)
    SERVER=127.0.0.1:$PORT
    mkdir -p "$2"
    local start
    start=$(now)
    if [ "$1" = apache ]; then
        printf 'tickTime=2000\ndataDir=%s\nclientPort=%s\nclientPortAddress=127.0.0.1\nmaxClientCnxns=0\nadmin.enableServer=false\n4lw.commands.whitelist=*\nsnapCount=%s\n' \
            "$2" "$PORT" "$3" >"$WORK/zoo.cfg"
        java -Xms512m -Xmx3g -Dzookeeper.root.logger=WARN,CONSOLE -Dzookeeper.jmx.log4j.disable=true \
            -cp "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/netty-codec.jar:/usr/share/java/netty-resolver.jar" \
            org.apache.zookeeper.server.quorum.QuorumPeerMain "$WORK/zoo.cfg" >>"$WORK/apache.log" 2>&1 &
    else
        "$ZK" serve --port "$PORT" --data-dir "$2" --snapshot-every "$3" --max-client-connections 0 \
            --4lw-whitelist '*' 2>>"$WORK/zkserve.log" &
    fi
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    STARTUP=$(until_serving "$start" "$PORT")
}

stop() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}

# p99 in milliseconds of OPS (one request at a time) from zk bench --latency.
p99() {
    zkb --latency --count "$LATENCY" --ops "$1" --path "/latency-$2" | python3 -c '
import json, sys
print(round(max(r["p99Microseconds"] for r in json.load(sys.stdin)["results"]) / 1000, 3))'
}

znodes() {
    local kind=$1 count=$2 data=$WORK/data-$1-$2
    log "(a) $kind with $count znodes"
    start "$kind" "$data" 100000
    "$ZK" -s "$SERVER" create /warm x >/dev/null
    local before after cpu start load
    before=$(memory_of)
    zkb --count "$count" --size 100 --sessions 4 --window 250 --ops create --keep --path /growth >/dev/null
    after=$(memory_of)
    cpu=$(cpu_of "$SERVER_PID")
    start=$(now)
    load=$(zkb --count "$LOAD" --size 100 --sessions 4 --window 250 --ops create,set,get,delete --path /load)
    local elapsed serverCPU snapshots
    elapsed=$(echo "$(now) - $start" | bc)
    serverCPU=$(echo "$(cpu_of "$SERVER_PID") - $cpu" | bc)
    # Snapshots begun during the load (their CPU is in the figure): each server snapshots after so
    # many transactions, counted since its last snapshot, so whether one falls within the load
    # depends on where the creates left the count.
    snapshots=$(find "$data" -name 'snapshot.*' -newermt "@$start" | wc -l)
    local clientCPU
    clientCPU=$(echo "$load" | python3 -c '
import json, sys
results = json.load(sys.stdin)["results"]
print(sum(r["cpuMicrosecondsPerOp"] * r["operations"] for r in results) / sum(r["operations"] for r in results))')
    local normal
    normal=$(p99 set,get normal)
    local rss
    rss=$(rss_bytes "$SERVER_PID")
    stop
    start "$kind" "$data" "$SNAP"
    local restart=$STARTUP during
    during=$(p99 set snapshots)
    stop
    emit section=znodes server="$kind" znodes="$count" memoryBefore="$before" memoryAfter="$after" rss="$rss" \
        opsPerSecond="$(echo "$LOAD * 4 / $elapsed" | bc -l)" \
        serverCPUMicrosecondsPerOp="$(echo "$serverCPU * 1000000 / ($LOAD * 4)" | bc -l)" \
        clientCPUMicrosecondsPerOp="$clientCPU" p99Milliseconds="$normal" \
        restartSeconds="$restart" p99DuringSnapshotsMilliseconds="$during" snapshotsDuringLoad="$snapshots"
    rm -rf "$data"
}

sessions() {
    local kind=$1 count=$2 pings=$3
    log "(b) $kind with $count sessions, pinging $pings times per timeout"
    start "$kind" "$WORK/sessions-$kind" 100000
    "$ZK" -s "$SERVER" create /sessions >/dev/null
    sleep 2
    local before after cpu ready
    before=$(memory_of)
    coproc HOLDER { python3 bench/session_holder.py "$SERVER" "$count" "$SESSION_TIMEOUT" "$pings"; }
    PIDS+=("$HOLDER_PID")
    read -r ready seconds <&"${HOLDER[0]}" || { log "session_holder failed"; exit 1; }
    sleep 2
    after=$(memory_of)
    cpu=$(cpu_of "$SERVER_PID")
    sleep "$IDLE"
    local idle
    idle=$(echo "($(cpu_of "$SERVER_PID") - $cpu) * 1000 / $IDLE" | bc -l)
    # Every connection drops at once (the holder exits), as when a fleet of clients restarts or
    # its network goes: how long until the server answers a read again. Each server then drops
    # the connections' watches; their sessions live on until they expire.
    local closed answered
    closed=$(now)
    exec {HOLDER[1]}>&-
    wait "$HOLDER_PID" 2>/dev/null || true
    "$ZK" -s "$SERVER" --timeout 120 get /sessions >/dev/null
    answered=$(echo "$(now) - $closed" | bc)
    emit section=sessions server="$kind" sessions="$count" pingsPerTimeout="$pings" memoryBefore="$before" \
        memoryAfter="$after" idleCPUMillisecondsPerSecond="$idle" setupSeconds="$seconds" \
        answeredAfterCloseSeconds="$answered"
    stop
    rm -rf "$WORK/sessions-$kind"
}

for count in $ZNODES; do
    for kind in $KINDS; do znodes "$kind" "$count"; done
done
for count in $SESSIONS; do
    for pings in 3 12; do
        for kind in $KINDS; do sessions "$kind" "$count" "$pings"; done
    done
done

python3 bench/growth_report.py "$RAW" \
    "load=$LOAD latency=$LATENCY snap=$SNAP session_timeout=$SESSION_TIMEOUT idle=$IDLE quick=$QUICK load_before=$LOAD_BEFORE load_after=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" \
    >bench/growth-results.md
cp "$RAW" bench/growth-results.jsonl
log "wrote bench/growth-results.md"
