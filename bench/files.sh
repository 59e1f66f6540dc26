#!/usr/bin/env bash
# File manager benchmark (bounded: one server, one file of SIZE_MB, 50 listings):
#   upload and download of one SIZE_MB file (default 1024) through Berth's API (curl, streamed)
#   against `docker cp` to and from the same server and a plain `cp` on the same disk;
#   Berth's peak resident memory growth during the transfers (VmHWM after clear_refs);
#   listing a folder of 10,000 files: p50 / p95 of 50 requests.
#   bench/files.sh            (env SIZE_MB, default 1024, at most 4096)
# Engine: BERTH_TEST_DOCKER_HOST when set, otherwise one started with scripts/services/dockerd.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

size_mb=${SIZE_MB:-1024}
[ "$size_mb" -ge 1 ] && [ "$size_mb" -le 4096 ] || die "SIZE_MB between 1 and 4096"
ensure_apt_packages curl docker.io

work=$(mktemp -d /tmp/berth-bench-files.XXXXXX)
server_pid="" own_engine="" id=""
dockercli() { docker -H "$BERTH_TEST_DOCKER_HOST" "$@"; }
cleanup() {
  set +e
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
  --docker-host "$BERTH_TEST_DOCKER_HOST" --runtime-profile caps --host-firewall off --max-upload-size 8g >"$work/server.log" 2>&1 &
server_pid=$!
wait_until 60 curl -fsS "$base/health" || { cat "$work/server.log" >&2; die "berth did not start"; }
api() { curl -fsS -b "$work/cookies" -c "$work/cookies" -H 'X-Berth-Csrf: 1' "$@"; }
api -o /dev/null -H 'Content-Type: application/json' -d "{\"email\":\"admin@admin.com\",\"password\":\"$password\"}" "$base/api/auth/login"
id=$(api -H 'Content-Type: application/json' -d '{"name":"files bench"}' "$base/api/servers" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
wait_until 120 sh -c "curl -fsS -b '$work/cookies' '$base/api/servers/$id' | grep -q '\"state\":\"running\"'" || die "server $id did not start"
container="hosting-users-dind-$id"

log "making a $size_mb MiB file"
dd if=/dev/urandom of="$work/file.bin" bs=1M count="$size_mb" status=none
seconds() { local start end; start=$(date +%s.%N); "$@"; end=$(date +%s.%N); echo "$end - $start" | bc -l; }
rss_kb() { grep "^$1:" "/proc/$server_pid/status" | awk '{print $2}'; }

sync
t_cp=$(seconds cp "$work/file.bin" "$work/copy.bin"); rm -f "$work/copy.bin"; sync
t_dcp_up=$(seconds dockercli cp "$work/file.bin" "$container:/apps/dcp.bin"); sync
t_dcp_down=$(seconds dockercli cp "$container:/apps/dcp.bin" "$work/dcp-back.bin"); rm -f "$work/dcp-back.bin"; sync

before=$(rss_kb VmRSS)
echo 5 > "/proc/$server_pid/clear_refs"
t_up=$(seconds api -o /dev/null -T "$work/file.bin" "$base/api/servers/$id/files/content?path=/berth.bin"); sync
t_down=$(seconds api -o "$work/back.bin" "$base/api/servers/$id/files/content?path=/berth.bin")
peak=$(rss_kb VmHWM)
cmp -s "$work/file.bin" "$work/back.bin" || die "the downloaded file differs"
rm -f "$work/back.bin"

log "10,000 files in one folder"
apps="$work/data/SERVERS/$id/apps"
mkdir "$apps/many"
(cd "$apps/many" && seq -f 'file-%05g.txt' 1 10000 | xargs touch)
for _ in $(seq 1 50); do
  api -o /dev/null -w '%{time_total}\n' "$base/api/servers/$id/files?path=/many"
done | sort -n > "$work/list.txt"
p50=$(sed -n '25p' "$work/list.txt"); p95=$(sed -n '48p' "$work/list.txt")

mb=$size_mb
printf '\nfile manager, %s MiB, %s\n' "$mb" "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-28s %8s %10s\n' "transfer" "seconds" "MiB/s"
for row in "plain cp:$t_cp" "docker cp up:$t_dcp_up" "Berth upload (PUT):$t_up" "docker cp down:$t_dcp_down" "Berth download (GET):$t_down"; do
  name=${row%%:*}; t=${row##*:}
  printf '%-28s %8.2f %10.0f\n' "$name" "$t" "$(echo "$mb / $t" | bc -l)"
done
printf 'upload vs docker cp:   %.2fx\n' "$(echo "$t_dcp_up / $t_up" | bc -l)"
printf 'download vs docker cp: %.2fx\n' "$(echo "$t_dcp_down / $t_down" | bc -l)"
printf 'Berth RSS before %d MiB, peak during transfers %d MiB, growth %d MiB\n' "$((before / 1024))" "$((peak / 1024))" "$(((peak - before) / 1024))"
printf 'listing 10,000 entries: p50 %.0f ms, p95 %.0f ms\n' "$(echo "$p50 * 1000" | bc -l)" "$(echo "$p95 * 1000" | bc -l)"
