#!/usr/bin/env bash
# Compose stacks benchmark (bounded: one server, two stacks, ROUNDS rounds, one FOLLOW_S log follow):
#   `up` of a two-service stack through Berth's API (POST …/actions/up, then the operation polled
#   until it ends) against the same `docker compose up -d --remove-orphans` run directly in the server
#   with `docker exec`, on an identical stack; the stacks are taken down between rounds, order
#   alternating; median of per-round ratios.
#   log follow: a service printing about RATE lines per second, followed through
#   GET …/stacks/{name}/logs?follow=true for FOLLOW_S seconds; lag = arrival at the client minus the
#   engine's timestamp of the line; p50 / p95 / p99, and Berth's resident memory before and after.
#   bench/stacks.sh        (env ROUNDS=3 FOLLOW_S=10 RATE=10000; at most 10 rounds, 60 s, 20000 lines/s)
# Images: busybox from Debian's busybox-static, imported into the server's own engine (no registry).
# Engine: BERTH_TEST_DOCKER_HOST when set, otherwise one started with scripts/services/dockerd.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

rounds=${ROUNDS:-3} follow_s=${FOLLOW_S:-10} rate=${RATE:-10000}
[ "$rounds" -ge 1 ] && [ "$rounds" -le 10 ] || die "ROUNDS between 1 and 10"
[ "$follow_s" -ge 2 ] && [ "$follow_s" -le 60 ] || die "FOLLOW_S between 2 and 60"
[ "$rate" -ge 100 ] && [ "$rate" -le 20000 ] || die "RATE between 100 and 20000"
ensure_apt_packages curl docker.io busybox-static python3 bc

work=$(mktemp -d /tmp/berth-bench-stacks.XXXXXX)
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
json() { api -H 'Content-Type: application/json' "$@"; }
json -o /dev/null -d "{\"email\":\"admin@admin.com\",\"password\":\"$password\"}" "$base/api/auth/login"
id=$(json -d '{"name":"stacks bench"}' "$base/api/servers" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
wait_until 120 sh -c "curl -fsS -b '$work/cookies' '$base/api/servers/$id' | grep -q '\"state\":\"running\"'" || die "server $id did not start"
container="hosting-users-dind-$id"

log "importing busybox into the server's engine"
rootfs="$work/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/www"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in sh httpd sleep seq usleep echo; do ln -s busybox "$rootfs/bin/$applet"; done
echo "bench page" > "$rootfs/www/index.html"
tar -C "$rootfs" -c . | dockercli exec -i "$container" docker import -c 'ENV PATH=/bin' - bench/busybox:1 >/dev/null

# Two services: a web server on a published port, and a worker. One busybox image, no build.
compose() {
  cat <<YAML
services:
  web:
    image: bench/busybox:1
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    ports: ["$1:8080"]
  worker:
    image: bench/busybox:1
    command: ["sleep", "3600"]
YAML
}
create_stack() {
  python3 -c 'import json,sys; print(json.dumps({"name": sys.argv[1], "compose": sys.stdin.read()}))' "$1" \
    | json -o /dev/null -d @- "$base/api/servers/$id/stacks"
}
create_stack bench-berth < <(compose 18081)
create_stack bench-direct < <(compose 18082)
# The rate is reached in bursts of a tenth of a second: RATE/10 lines, then a pause.
python3 -c 'import json,sys; print(json.dumps({"name": "bench-logs", "compose": sys.stdin.read()}))' <<YAML | json -o /dev/null -d @- "$base/api/servers/$id/stacks"
services:
  talker:
    image: bench/busybox:1
    command: ["sh", "-c", "while :; do seq 1 $((rate / 10)); usleep 100000; done"]
YAML

now() { date +%s.%N; }
berth_up() {
  local op state start end
  start=$(now)
  op=$(api -X POST "$base/api/servers/$id/stacks/bench-berth/actions/up" | grep -o '"operationId":"[^"]*"' | cut -d'"' -f4)
  while :; do
    state=$(api "$base/api/servers/$id/operations/$op" | grep -o '"state":"[^"]*"' | cut -d'"' -f4)
    [ "$state" = running ] || break
    sleep 0.02
  done
  end=$(now)
  [ "$state" = succeeded ] || die "up through Berth ended $state"
  echo "$end - $start" | bc -l
}
direct_up() {
  local start end
  start=$(now)
  dockercli exec -w /apps/stacks/bench-direct "$container" docker compose up -d --remove-orphans >/dev/null 2>&1 || die "direct up failed"
  end=$(now)
  echo "$end - $start" | bc -l
}
down_both() {
  dockercli exec -w /apps/stacks/bench-berth "$container" docker compose down >/dev/null 2>&1
  dockercli exec -w /apps/stacks/bench-direct "$container" docker compose down >/dev/null 2>&1
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "up: $rounds rounds"
: > "$work/up.txt"
for round in $(seq 1 "$rounds"); do
  down_both
  if [ $((round % 2)) -eq 1 ]; then b=$(berth_up); d=$(direct_up); else d=$(direct_up); b=$(berth_up); fi
  echo "$b $d" >> "$work/up.txt"
done
down_both

log "log follow: about $rate lines/s for $follow_s s"
rss_before=$(grep '^VmRSS:' "/proc/$server_pid/status" | awk '{print $2}')
op=$(api -X POST "$base/api/servers/$id/stacks/bench-logs/actions/up" | grep -o '"operationId":"[^"]*"' | cut -d'"' -f4)
wait_until 60 sh -c "curl -fsS -b '$work/cookies' '$base/api/servers/$id/operations/$op' | grep -q '\"state\":\"succeeded\"'" || die "the talker did not start"
# Each arriving line is stamped by the reader as it comes; the engine's own timestamp is in the line.
api -N --max-time "$follow_s" "$base/api/servers/$id/stacks/bench-logs/logs?follow=true&tail=0" 2>/dev/null \
  | python3 -u -c '
import sys, time
for line in sys.stdin:
    print(f"{time.time():.6f} {line.rstrip()}")
' > "$work/follow.txt" || true
rss_after=$(grep '^VmRSS:' "/proc/$server_pid/status" | awk '{print $2}')
dockercli exec -w /apps/stacks/bench-logs "$container" docker compose down >/dev/null 2>&1 || true
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$work/up.txt" "$work/follow.txt" "$follow_s" "$load_before" "$load_after" "$rss_before" "$rss_after" <<'PY'
import datetime, statistics, sys
up = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
print(f"\ncompose stacks; load average before {sys.argv[4]}, after {sys.argv[5]}")
print(f"{'up of a two-service stack':30} {'median s':>9} {'rounds':>30}")
print(f"{'docker exec … compose up -d':30} {statistics.median(d for _, d in up):9.2f} {' '.join(f'{d:.2f}' for _, d in up):>30}")
print(f"{'Berth (API, operation polled)':30} {statistics.median(b for b, _ in up):9.2f} {' '.join(f'{b:.2f}' for b, _ in up):>30}")
ratios = [b / d for b, d in up]
print(f"Berth / docker exec: {statistics.median(ratios):.2f}x (rounds: {' '.join(f'{r:.2f}' for r in ratios)})")

lags = []
for line in open(sys.argv[2]):
    parts = line.split()
    # "<arrival> stdout talker-1 | 2026-12-06T03:04:05.123456789Z <text>"
    stamp = next((p for p in parts[2:] if p.endswith("Z") and "T" in p), None)
    if stamp is None:
        continue
    head, _, frac = stamp[:-1].partition(".")
    at = datetime.datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp() + float("0." + (frac or "0"))
    lags.append((float(parts[0]) - at) * 1000)
if not lags:
    sys.exit("no log line with a timestamp arrived")
lags.sort()
pick = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
seconds = float(sys.argv[3])
print(f"\nlog follow for {seconds:.0f} s: {len(lags)} lines ({len(lags) / seconds:.0f} per s)"
      f"; lag p50 {pick(0.50):.0f} ms, p95 {pick(0.95):.0f} ms, p99 {pick(0.99):.0f} ms")
print(f"Berth RSS before the follow {int(sys.argv[6]) // 1024} MiB, after {int(sys.argv[7]) // 1024} MiB")
PY
