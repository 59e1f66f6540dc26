#!/usr/bin/env bash
# Server render time of the web panel's pages with 1,000 servers in the database, against peers
# that list the same data without rendering (the JSON API) or render nothing (a static file).
# Starts its own `berth serve` (Release) on 127.0.0.1 with a throwaway SQLite data root, seeds
# 50 users and 1,000 servers (20 each, one domain each, 1,000 activity rows) straight into the
# database, then fetches each page N times one after another (bounded: N ≤ 100) with a signed-in
# cookie and reports time to first byte and total time, p50/p95, and each page's ratio to the
# API peer. The Docker engine is a socket nobody listens on, so container state reads fail fast
# ("unknown"): this measures Berth's own work, not an engine's.
#   bench/panel.sh [requests per page, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

requests=${1:-30}
[ "$requests" -le 100 ] || die "at most 100 requests per page (the benchmark is bounded)"
ensure_apt_packages curl sqlite3

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
start_berth() {
  dotnet src/Berth.Server/bin/Release/net10.0/berth.dll serve --data-root "$work/data" --urls "$base" --ssh off \
    --admin-password "$password" --docker-host "unix://$work/no-engine.sock" --host-firewall off \
    --edge-http "http://127.0.0.1:$(free_port)" --edge-https "https://127.0.0.1:$(free_port)" >>"$work/server.log" 2>&1 &
  server_pid=$!
  wait_until 90 curl -fsS "$base/health" || { cat "$work/server.log" >&2; die "berth did not start"; }
}
start_berth

log "seeding 50 users and 1,000 servers"
db="$work/data/_DATA/control-backend/database.db"
[ -f "$db" ] || die "no database at $db"
sqlite3 "$db" <<'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
INSERT INTO System_Users (Email, Password, Admin, Enabled, LastLogin)
SELECT 'user' || i || '@bench.test', (SELECT Password FROM System_Users WHERE Email = 'admin@admin.com'), 0, 1, '' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO Hosting_VirtualServers (ID, OwnerID, Name, Enabled, Deleted, CreatedAt, UpdatedAt)
SELECT i, (SELECT ID FROM System_Users WHERE Email = 'user' || ((i - 1) % 50 + 1) || '@bench.test'),
       'bench server ' || i, 1, 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM n;
INSERT INTO Hosting_DomainNames (VirtualServerID, DomainName, IsCloudflare, SSL)
SELECT ID, 'site' || ID || '.bench.test', 0, 0 FROM Hosting_VirtualServers WHERE ID > 0;
INSERT INTO System_RecentActivity (UserID, Message, Time)
SELECT OwnerID, 'Virtual server #' || ID || ' created', '2026-01-01 00:00:00' FROM Hosting_VirtualServers WHERE ID > 0;
SQL

login() {
  curl -fsS -c - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$password\"}" "$base/api/auth/login" | awk '$6 == "berth_session" { print $7 }'
}
admin=$(login admin@admin.com)
user=$(login user7@bench.test)
[ -n "$admin" ] && [ -n "$user" ] || die "no session cookie from login"

# Prints "p50_ttfb p95_ttfb p50_total p95_total" in milliseconds for N sequential GETs.
measure() {
  local cookie=$1 path=$2 out="$work/times.txt"
  : >"$out"
  for _ in 1 2 3; do curl -fsS -o /dev/null -H "Cookie: berth_session=$cookie" "$base$path"; done # warm-up
  for _ in $(seq 1 "$requests"); do
    curl -fsS -o /dev/null -H "Cookie: berth_session=$cookie" -w '%{time_starttransfer} %{time_total}\n' "$base$path" >>"$out"
  done
  awk -v n="$requests" '
    { ttfb[NR] = $1 * 1000; total[NR] = $2 * 1000 }
    function pct(a, p,   i, j, t, k) {
      for (i = 1; i <= n; i++) s[i] = a[i]
      for (i = 2; i <= n; i++) { t = s[i]; for (j = i - 1; j >= 1 && s[j] > t; j--) s[j + 1] = s[j]; s[j + 1] = t }
      k = int((n - 1) * p + 0.5) + 1; return s[k]
    }
    END { printf "%.1f %.1f %.1f %.1f\n", pct(ttfb, 0.5), pct(ttfb, 0.95), pct(total, 0.5), pct(total, 0.95) }' "$out"
}

results="$work/results.txt"
: >"$results"
run() { # name cookie path
  log "GET $3 ($1) x $requests"
  echo "$1 $3 $(measure "$2" "$3")" >>"$results"
}
run "peer: static file" "$admin" /css/panel.css
run "peer: JSON API, all 1,000 servers" "$admin" "/api/servers?all=true"
run "peer: JSON API, a user's 20 servers" "$user" /api/servers
run "panel: servers (user, 20)" "$user" /
run "panel: server page" "$user" /servers/7
run "panel: account" "$user" /account
run "panel: dashboard" "$admin" /admin
run "panel: users (51)" "$admin" /admin/users
run "panel: all servers (1,000)" "$admin" /admin/servers

api_all=$(awk '$0 ~ /all 1,000 servers/ { print $(NF-3) }' "$results")
echo "== panel render time, $requests sequential requests per page, 1,000 servers (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-40s %-22s %10s %10s %10s %10s %12s\n' "page" "path" "TTFB p50" "TTFB p95" "total p50" "total p95" "p50 / API"
while read -r line; do
  name=${line% /*}; rest=/${line#* /}
  set -- $rest
  printf '%-40s %-22s %8s ms %8s ms %8s ms %8s ms %11s\n' "$name" "$1" "$2" "$3" "$4" "$5" "$(awk -v a="$2" -v b="$api_all" 'BEGIN { printf "%.2fx", a / b }')"
done <"$results"
