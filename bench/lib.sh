# Sourced by the benchmark scripts: a work directory removed on exit, with every background job
# the script started killed; a free loopback port; waiting for an HTTP endpoint to answer.
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Up to 20 s.
wait_for() { for _ in $(seq 400); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }
