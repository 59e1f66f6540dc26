#!/usr/bin/env bash
# Bounded loopback benchmark of the Accounts API (about 20 s of load in total):
#   1. login throughput: POST /api/auth/login with the right password (bcrypt cost 12 bound),
#   2. p99 latency of GET /api/me with a valid session (one session lookup per request).
# Starts its own `berth serve` on 127.0.0.1 with a throwaway SQLite data root, and stops it.
#   bench/login.sh [seconds per phase, default 8]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

seconds=${1:-8}
[ "$seconds" -le 10 ] || die "at most 10 s per phase (the benchmark is bounded)"
ensure_apt_packages wrk curl

work=$(mktemp -d /tmp/berth-bench.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

log "building (Release)"
dotnet build src/Berth.Server -c Release -nologo -v quiet >/dev/null
port=$(free_port)
base="http://127.0.0.1:$port"
password="bench-admin-password"
dotnet src/Berth.Server/bin/Release/net10.0/berth.dll serve --data-root "$work/data" --urls "$base" --ssh off \
  --admin-password "$password" >"$work/server.log" 2>&1 &
server_pid=$!
wait_until 60 curl -fsS "$base/health" || { cat "$work/server.log" >&2; die "berth did not start"; }

cat >"$work/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"email":"admin@admin.com","password":"$password"}'
wrk.headers["Content-Type"] = "application/json"
LUA

# Warm-up: JIT, connection pools, the dummy hash.
for _ in 1 2 3; do
  curl -fsS -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"admin@admin.com\",\"password\":\"$password\"}" "$base/api/auth/login"
done

log "login throughput: wrk -t2 -c4 -d${seconds}s POST /api/auth/login"
wrk -t2 -c4 -d"${seconds}s" --latency -s "$work/login.lua" "$base/api/auth/login" >"$work/login.txt"

token=$(curl -fsS -c - -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@admin.com\",\"password\":\"$password\"}" "$base/api/auth/login" | awk '$6 == "berth_session" { print $7 }')
[ -n "$token" ] || die "no session cookie from login"
curl -fsS -o /dev/null -H "Cookie: berth_session=$token" "$base/api/me"

log "GET /api/me: wrk -t2 -c32 -d${seconds}s"
wrk -t2 -c32 -d"${seconds}s" --latency -H "Cookie: berth_session=$token" "$base/api/me" >"$work/me.txt"

errors() { grep -E "Non-2xx|Socket errors" "$1" || echo "none"; }
echo "== POST /api/auth/login (wrk -t2 -c4 -d${seconds}s)"
echo "logins/s: $(awk '/Requests\/sec/ { print $2 }' "$work/login.txt")"
echo "p50: $(awk '$1 == "50%" { print $2 }' "$work/login.txt")  p99: $(awk '$1 == "99%" { print $2 }' "$work/login.txt")"
echo "errors: $(errors "$work/login.txt")"
echo "== GET /api/me (wrk -t2 -c32 -d${seconds}s)"
echo "requests/s: $(awk '/Requests\/sec/ { print $2 }' "$work/me.txt")"
echo "p50: $(awk '$1 == "50%" { print $2 }' "$work/me.txt")  p99: $(awk '$1 == "99%" { print $2 }' "$work/me.txt")"
echo "errors: $(errors "$work/me.txt")"
