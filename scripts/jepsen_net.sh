#!/usr/bin/env bash
# The network of the Jepsen tests: ensemble members each in a network namespace of their own,
# joined by a bridge in another namespace, and the root namespace (the test process, its clients)
# on the same bridge through one veth. Faults are nftables rules and tc qdiscs inside the
# members' namespaces: the root namespace's own rules and routes are never touched.
#
# usage: jepsen_net.sh up N            create namespaces P-n1..N, P-sw, link P-c0 (after down)
#        jepsen_net.sh down            kill every process in them and remove them all (idempotent)
#        jepsen_net.sh address ID      the address of member ID, or of the clients (ID c)
#        jepsen_net.sh exec ID CMD...  runs CMD in member ID's namespace
#        jepsen_net.sh block FROM TO   drops what FROM sends to TO (one way; ids or c)
#        jepsen_net.sh partition A B   drops everything between groups A and B (comma lists)
#        jepsen_net.sh netem ID DELAY_MS LOSS_PCT
#                                      delays and loses member ID's traffic: tc netem where the
#                                      kernel has it, else nftables loss and a tbf-throttled link
#        jepsen_net.sh heal            removes every fault
# Addresses: JEPSEN_NET (default 10.213.47), members .1-.N, clients .100, in no namespace but these.
# Names: P is JEPSEN_PREFIX (default zkj, at most 8 characters): a second network with its own
# prefix and JEPSEN_NET runs beside the first (another checkout's long run, say).
set -euo pipefail
NET=${JEPSEN_NET:-10.213.47}
P=${JEPSEN_PREFIX:-zkj}
SW=$P-sw

address() { if [ "$1" = c ]; then echo "$NET.100"; else echo "$NET.$1"; fi; }
members() { ip netns list | awk '{print $1}' | grep -E "^$P-n[0-9]+\$" || true; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# The nftables table of a member's namespace, with an input and an output chain.
table() {
  in_ns "$P-n$1" nft list table inet jepsen >/dev/null 2>&1 && return
  in_ns "$P-n$1" nft -f - <<NFT
table inet jepsen {
  chain input { type filter hook input priority 0; policy accept; }
  chain output { type filter hook output priority 0; policy accept; }
}
NFT
}

block() {
  local from=$1 to=$2
  [ "$from" = "$to" ] && return
  if [ "$to" != c ]; then
    table "$to"; in_ns "$P-n$to" nft add rule inet jepsen input ip saddr "$(address "$from")" drop
  else
    table "$from"; in_ns "$P-n$from" nft add rule inet jepsen output ip daddr "$(address c)" drop
  fi
}

down() {
  for ns in $(members) $(ip netns list | awk '{print $1}' | grep -x "$SW" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -CONT "$pid" 2>/dev/null || true; kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del $P-c0 2>/dev/null || true
}

up() {
  local size=$1
  down
  ip netns add "$SW"
  in_ns "$SW" ip link add br0 type bridge
  in_ns "$SW" ip link set br0 up
  in_ns "$SW" ip link set lo up
  for id in $(seq 1 "$size"); do
    local ns="$P-n$id"
    ip netns add "$ns"
    ip link add "$P-v$id" type veth peer name eth0 netns "$ns"
    ip link set "$P-v$id" netns "$SW"
    in_ns "$SW" ip link set "$P-v$id" master br0 up
    in_ns "$ns" ip addr add "$(address "$id")/24" dev eth0
    in_ns "$ns" ip link set eth0 up
    in_ns "$ns" ip link set lo up
  done
  ip link add $P-c0 type veth peer name $P-vc netns "$SW"
  in_ns "$SW" ip link set $P-vc master br0 up
  ip addr add "$(address c)/24" dev $P-c0
  ip link set $P-c0 up
}

netem() {
  local id=$1 delay=$2 loss=$3
  if in_ns "$P-n$id" tc qdisc replace dev eth0 root netem delay "${delay}ms" "$((delay / 2))ms" loss "${loss}%" 2>/dev/null; then
    echo "netem"
  else
    # No sch_netem in this kernel: lose with nftables, delay by queueing behind a slow link.
    table "$id"
    in_ns "$P-n$id" nft add rule inet jepsen input numgen random mod 100 "<" "$loss" drop
    in_ns "$P-n$id" nft add rule inet jepsen output numgen random mod 100 "<" "$loss" drop
    in_ns "$P-n$id" tc qdisc replace dev eth0 root tbf rate 512kbit burst 8kb latency "$((delay * 4))ms"
    echo "nftables+tbf"
  fi
}

heal() {
  for ns in $(members); do
    in_ns "$ns" nft delete table inet jepsen 2>/dev/null || true
    in_ns "$ns" tc qdisc del dev eth0 root 2>/dev/null || true
  done
}

command=${1:?usage: jepsen_net.sh up|down|address|exec|block|partition|netem|heal}
shift
case $command in
  up) up "${1:?size}" ;;
  down) down ;;
  address) address "${1:?id}" ;;
  exec) id=$1; shift; exec ip netns exec "$P-n$id" "$@" ;;
  block) block "${1:?from}" "${2:?to}" ;;
  partition)
    IFS=, read -ra left <<<"${1:?group}"; IFS=, read -ra right <<<"${2:?group}"
    for a in "${left[@]}"; do for b in "${right[@]}"; do block "$a" "$b"; block "$b" "$a"; done; done ;;
  netem) netem "${1:?id}" "${2:?delay}" "${3:?loss}" ;;
  heal) heal ;;
  *) echo "unknown command: $command" >&2; exit 2 ;;
esac
