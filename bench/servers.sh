# Shared by the bench scripts (sourced): finding a port and waiting for a server on it.

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
