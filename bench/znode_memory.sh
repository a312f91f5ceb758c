#!/usr/bin/env bash
# Bytes per znode: Apache ZooKeeper 3.8's retained heap (after a full GC, jcmd's live-object
# histogram) and zk serve's RSS, each measured before and after COUNT znodes of SIZE bytes are
# created (zk bench --keep, 4 sessions). Prints one JSON line per server. In memory (Apache's
# dataDir on tmpfs), both standalone on loopback.
# Usage: bench/znode_memory.sh [COUNT] [SIZE]; ZK=PATH measures that zk binary.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-1000000}
SIZE=${2:-100}
ZK=${ZK:-$PWD/.build/release/zk}
WORK=$(mktemp -d /dev/shm/zk-memory.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

. bench/servers.sh
rss_bytes() { awk '/VmRSS/ { print $2 * 1024 }' "/proc/$1/status"; }
heap_bytes() { jcmd "$1" GC.class_histogram | awk '/^Total/ { print $3 }'; }
fill() { "$ZK" -s "$1" --connect-timeout 120 bench --count "$COUNT" --size "$SIZE" --sessions 4 --window 250 --ops create --keep --path /memory >/dev/null; }
report() {
    python3 -c 'import json, sys
server, before, after, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(json.dumps({"server": server, "znodes": count, "bytesBefore": before, "bytesAfter": after,
                  "bytesPerZnode": round((after - before) / count)}))' "$@"
}

# measure NAME PID PORT BYTES_FUNCTION: the server's bytes before and after the znodes.
measure() {
    "$ZK" -s "127.0.0.1:$3" create /warm x >/dev/null
    local before
    before=$($4 "$2")
    fill "127.0.0.1:$3"
    report "$1" "$before" "$($4 "$2")" "$COUNT"
}

port=$(free_port)
"$ZK" serve --port "$port" --max-client-connections 0 --4lw-whitelist '*' 2>"$WORK/zk.log" &
pid=$!
PIDS+=("$pid")
wait_serving "$port"
measure "zk serve (RSS)" "$pid" "$port" rss_bytes

port=$(free_port)
mkdir -p "$WORK/apache"
printf 'tickTime=2000\ndataDir=%s\nclientPort=%s\nclientPortAddress=127.0.0.1\nmaxClientCnxns=0\nadmin.enableServer=false\n4lw.commands.whitelist=*\n' \
    "$WORK/apache" "$port" >"$WORK/zoo.cfg"
java -Xmx4g -Dzookeeper.root.logger=WARN,CONSOLE -Dzookeeper.jmx.log4j.disable=true \
    -cp "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/netty-codec.jar:/usr/share/java/netty-resolver.jar" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$WORK/zoo.cfg" >"$WORK/apache.log" 2>&1 &
pid=$!
PIDS+=("$pid")
wait_serving "$port"
measure "Apache 3.8 (heap after full GC)" "$pid" "$port" heap_bytes
