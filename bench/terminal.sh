#!/usr/bin/env bash
# Web terminal benchmark (bounded: one server, counts and sizes below), Berth's terminal WebSocket
# against `docker exec -it` into the same server container over the same engine (a pseudo-terminal
# driven by a script: bench/terminal/terminal_bench.py, Debian's python3 with python3-websockets):
#   keystroke echo round trip: KEYS single keys typed into `cat >/dev/null`, p50 / p95 / p99
#   output throughput: OUTPUT_MIB MiB of text printed by the shell, read to its end marker, MiB/s
#   echo while another Berth terminal of the server floods (`yes`, read as fast as the client can)
# Ratios printed at the end. Loopback and the run's own server container only.
#   bench/terminal.sh        (env KEYS=500 FLOOD_KEYS=200 OUTPUT_MIB=100; at most 5000 keys, 1024 MiB)
# Engine: BERTH_TEST_DOCKER_HOST when set, otherwise one started with scripts/services/dockerd.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

export KEYS=${KEYS:-500} FLOOD_KEYS=${FLOOD_KEYS:-200} OUTPUT_MIB=${OUTPUT_MIB:-100}
[ "$KEYS" -ge 10 ] && [ "$KEYS" -le 5000 ] || die "KEYS between 10 and 5000"
[ "$FLOOD_KEYS" -ge 10 ] && [ "$FLOOD_KEYS" -le 5000 ] || die "FLOOD_KEYS between 10 and 5000"
[ "$OUTPUT_MIB" -ge 1 ] && [ "$OUTPUT_MIB" -le 1024 ] || die "OUTPUT_MIB between 1 and 1024"
ensure_apt_packages curl docker.io python3 python3-websockets

work=$(mktemp -d /tmp/berth-bench-terminal.XXXXXX)
server_pid="" own_engine="" id=""
dockercli() { docker -H "$BERTH_TEST_DOCKER_HOST" "$@"; }
cleanup() {
  local status=$?
  set +e
  [ "$status" -ne 0 ] && [ -f "$work/server.log" ] && { log "berth's log (last lines):"; tail -n 40 "$work/server.log" >&2; }
  [ -n "$id" ] && api -o /dev/null -X DELETE "$base/api/servers/$id"
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  if [ -n "${BERTH_TEST_DOCKER_HOST:-}" ]; then
    [ -n "$id" ] && dockercli rm -f "hosting-users-dind-$id" >/dev/null 2>&1
  fi
  [ -n "$own_engine" ] && scripts/services/dockerd.sh stop "$work" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${BERTH_TEST_DOCKER_HOST:-}" ]; then
  log "starting a test engine"
  eval "$(scripts/services/dockerd.sh start "$work")"
  own_engine=1
fi

log "building (Release)"
dotnet build src/Berth.Server -c Release -nologo -v quiet >/dev/null
berth=(dotnet src/Berth.Server/bin/Release/net10.0/berth.dll)
"${berth[@]}" image build --docker-host "$BERTH_TEST_DOCKER_HOST" >&2

port=$(free_port)
base="http://127.0.0.1:$port"
password="bench-admin-password"
# The host firewall is left off: this benchmark makes no network traffic into the server.
"${berth[@]}" serve --data-root "$work/data" --urls "$base" --ssh off --admin-password "$password" \
  --docker-host "$BERTH_TEST_DOCKER_HOST" --runtime-profile caps --host-firewall off >"$work/server.log" 2>&1 &
server_pid=$!
wait_until 60 curl -fsS "$base/health" || { cat "$work/server.log" >&2; die "berth did not start"; }
api() { curl -fsS -b "$work/cookies" -c "$work/cookies" -H 'X-Berth-Csrf: 1' "$@"; }
api -o /dev/null -H 'Content-Type: application/json' -d "{\"email\":\"admin@admin.com\",\"password\":\"$password\"}" "$base/api/auth/login"
id=$(api -H 'Content-Type: application/json' -d '{"name":"terminal bench"}' "$base/api/servers" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
wait_until 120 sh -c "curl -fsS -b '$work/cookies' '$base/api/servers/$id' | grep -q '\"state\":\"running\"'" || die "server $id did not start"
container="hosting-users-dind-$id"
cookie=$(awk '$6 == "berth_session" { print $7 }' "$work/cookies")
[ -n "$cookie" ] || die "no session cookie"

log "measuring: $KEYS keys, $OUTPUT_MIB MiB of output, $FLOOD_KEYS keys during a flood"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
timeout 900 /usr/bin/python3 bench/terminal/terminal_bench.py "$base" "$cookie" "$id" "$container" "$BERTH_TEST_DOCKER_HOST" | tee "$work/results"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

/usr/bin/python3 - "$work/results" "$load_before" "$load_after" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    rows[(parts[0], parts[1])] = parts[2:]
de, be, fe = rows[("direct", "echo")], rows[("berth", "echo")], rows[("flood", "echo")]
do, bo = rows[("direct", "output")], rows[("berth", "output")]
print(f"\nweb terminal; load average before {sys.argv[2]}, after {sys.argv[3]}")
print(f"{'keystroke echo (ms)':34} {'p50':>8} {'p95':>8} {'p99':>8} {'keys':>6}")
print(f"{'docker exec -it (pty)':34} {float(de[0]):8.2f} {float(de[1]):8.2f} {float(de[2]):8.2f} {de[3]:>6}")
print(f"{'Berth WebSocket':34} {float(be[0]):8.2f} {float(be[1]):8.2f} {float(be[2]):8.2f} {be[3]:>6}")
print(f"{'Berth WebSocket, other tab flooding':34} {float(fe[0]):8.2f} {float(fe[1]):8.2f} {float(fe[2]):8.2f} {fe[3]:>6}   (flood read at {fe[4]} MiB/s)")
print(f"echo Berth - docker exec: p50 {float(be[0]) - float(de[0]):+.2f} ms, p99 {float(be[2]) - float(de[2]):+.2f} ms"
      f" (ratios {float(be[0]) / float(de[0]):.2f}x, {float(be[2]) / float(de[2]):.2f}x)")
print(f"\n{'output':34} {'bytes':>12} {'seconds':>8} {'MiB/s':>8}")
print(f"{'docker exec -it (pty)':34} {do[0]:>12} {float(do[1]):8.2f} {float(do[2]):8.1f}")
print(f"{'Berth WebSocket':34} {bo[0]:>12} {float(bo[1]):8.2f} {float(bo[2]):8.1f}")
print(f"output Berth / docker exec: {float(bo[2]) / float(do[2]):.2f}x")
PY
