# Shared by the bench scripts (sourced): their set-up, finding a port and waiting for a server on it.

# bench_setup TEMPLATE: sets ZK (a fresh release build unless ZK is given) and WORK (a directory
# made from mktemp's TEMPLATE), both removed on exit with the processes listed in PIDS.
bench_setup() {
    if [ -z "${ZK:-}" ]; then
        echo "bench: building zk (release)" >&2
        make -s release >&2
        ZK=$PWD/.build/release/zk
    fi
    WORK=$(mktemp -d "$1")
    PIDS=()
    trap 'for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
    trap 'exit 130' INT TERM
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits until the server at port $1 answers ruok (60 s at most).
wait_serving() {
    for _ in $(seq 600); do
        reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && echo ruok >&3 && cat <&3) 2>/dev/null || true)
        [ "$reply" = imok ] && return 0
        sleep 0.1
    done
    echo "bench: no server on port $1" >&2
    exit 1
}

now() { date +%s.%N; }

# Seconds since $1 until the server on port $2 serves: srvr names its mode (600 s at most).
until_serving() {
    local start=$1 port=$2
    for _ in $(seq 6000); do
        # A server still loading may accept the connection and not answer yet: give up on it.
        reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" && echo srvr >&3 && timeout 1 cat <&3) 2>/dev/null || true)
        if [[ "$reply" == *"Mode: "* ]]; then echo "$(now) - $start" | bc; return 0; fi
        sleep 0.1
    done
    log "no server on port $port"
    return 1
}
