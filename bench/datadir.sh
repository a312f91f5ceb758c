#!/usr/bin/env bash
# Times loading a large Apache ZooKeeper snapshot (PARENTS x CHILDREN znodes of DATA bytes,
# written by bench/make_snapshot.py; 1,000 x 1,000 by default) three ways, and writes
# bench/datadir-results.md:
#   - zk snapshot (offline summary: read, checksum, decode, index every node) and zk snapshot get;
#   - zk serve --data-dir: start until it serves (srvr names its mode; on a copy of the directory);
#   - Apache ZooKeeper 3.8 on a copy of the same directory, the same way (its ruok answers imok
#     while it is still loading, so srvr it is).
# Figures are medians of RUNS runs, with peak RSS. QUICK=1: 100 x 1,000 znodes.
# ZK=PATH measures that zk binary instead of a fresh release build. Usage: bench/datadir.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then PARENTS=${PARENTS:-100}; else PARENTS=${PARENTS:-1000}; fi
CHILDREN=${CHILDREN:-1000}
DATA=${DATA:-100}
RUNS=${RUNS:-3}
log() { echo "bench: $*" >&2; }

. bench/servers.sh
bench_setup /tmp/zk-datadir-bench.XXXXXX
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Peak RSS in MiB of process $1 (VmHWM), while it runs.
peak_rss() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

log "writing a snapshot of $((PARENTS * CHILDREN)) znodes"
SNAPSHOT=$(python3 bench/make_snapshot.py "$WORK/data" "$PARENTS" "$CHILDREN" "$DATA")
BYTES=$(stat -c %s "$SNAPSHOT")

declare -A TIMES RSS
measure_offline() {
    local name=$1; shift
    local times=() rss=()
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null
        read -r seconds kib <"$WORK/time"
        times+=("$seconds"); rss+=("$((kib / 1024))")
    done
    TIMES[$name]=$(printf '%.2f' "$(printf '%s\n' "${times[@]}" | median)")
    RSS[$name]=$(printf '%s\n' "${rss[@]}" | median)
    log "$name: ${TIMES[$name]} s, ${RSS[$name]} MiB"
}
measure_offline "zk snapshot" "$ZK" snapshot "$WORK/data"
measure_offline "zk snapshot get" "$ZK" snapshot get "$WORK/data" /bench7/n7

measure_server() {
    local name=$1 start_command=$2
    local times=() rss=()
    for _ in $(seq "$RUNS"); do
        rm -rf "$WORK/copy"
        cp -r "$WORK/data" "$WORK/copy"
        port=$(free_port)
        start=$(now)
        eval "$start_command" </dev/null &
        pid=$!
        PIDS+=("$pid")
        times+=("$(until_serving "$start" "$port")")
        rss+=("$(peak_rss "$pid")")
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    TIMES[$name]=$(printf '%.2f' "$(printf '%s\n' "${times[@]}" | median)")
    RSS[$name]=$(printf '%s\n' "${rss[@]}" | median)
    log "$name: ${TIMES[$name]} s, ${RSS[$name]} MiB"
}
measure_server "zk serve" \
    'exec "$ZK" serve --port "$port" --data-dir "$WORK/copy" --4lw-whitelist srvr >/dev/null 2>&1'
cat >"$WORK/zoo.cfg.in" <<CFG
tickTime=2000
dataDir=$WORK/copy
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=srvr
CFG
measure_server "Apache ZooKeeper 3.8" \
    '{ cat "$WORK/zoo.cfg.in"; echo "clientPort=$port"; } >"$WORK/zoo.cfg"; exec java -Xmx4g -cp /etc/zookeeper/conf:/usr/share/java/zookeeper.jar org.apache.zookeeper.server.quorum.QuorumPeerMain "$WORK/zoo.cfg" >/dev/null 2>&1'

{
    echo "# Loading a snapshot of $((PARENTS * CHILDREN)) znodes"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); snapshot of"
    echo "$((PARENTS * CHILDREN + PARENTS + 4)) znodes ($PARENTS parents of $CHILDREN, $DATA bytes of data each), $((BYTES / 1048576)) MiB;"
    echo "median of $RUNS runs (bench/datadir.sh). Servers: from start until they serve (srvr)."
    echo
    echo "| what | seconds | peak RSS (MiB) |"
    echo "|---|---|---|"
    for name in "zk snapshot" "zk snapshot get" "zk serve" "Apache ZooKeeper 3.8"; do
        echo "| $name | ${TIMES[$name]} | ${RSS[$name]} |"
    done
} >bench/datadir-results.md
cat bench/datadir-results.md
