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
# Polled every 5 ms from one process (a shell loop forking a connection every 100 ms added up to
# 0.1 s to a sub-second restart, and more polling from it would load the cores the restart uses).
until_serving() {
    python3 - "$1" "$2" <<'PY' || { log "no server on port $2"; return 1; }
import socket, sys, time
start, port = float(sys.argv[1]), int(sys.argv[2])
def serving():
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            # A server still loading may accept the connection and not answer yet: give up on it.
            connection.sendall(b"srvr")
            reply = b""
            while chunk := connection.recv(4096):
                reply += chunk
            return b"Mode: " in reply
    except OSError:
        return False
while time.time() - start < 600:
    if serving():
        print(f"{time.time() - start:.3f}")
        sys.exit(0)
    time.sleep(0.005)
sys.exit(1)
PY
}
