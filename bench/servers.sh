#!/usr/bin/env bash
# Virtual-server creation benchmark (bounded: N creations each way, 90 s timeout per server):
#   Berth: POST /api/servers, then wait on the event stream (GET /api/events, opened before the POST)
#          and read the server's state on each of its events until it is running (Berth reports
#          running when the inner engine answers over mutual TLS); WAIT=poll: GET every 50 ms instead;
#   bare:  `docker run -d` of the same image with the same flags, then a mutual-TLS ping of the
#          inner engine every 50 ms (the limit: what the engine itself takes).
# The two are interleaved (one Berth creation, one bare run) so that both see the same load.
# Then, after an idle pause, the memory of every server container (docker stats), and cleanup.
#   bench/servers.sh [N, default 10, at most 20]   (env WARMUP: untimed Berth creations first, default 3;
#                                                   WAIT=events (default) or poll)
# Engine: BERTH_TEST_DOCKER_HOST when set (an engine from scripts/services/dockerd.sh), otherwise
# one of its own started with scripts/services/dockerd.sh and stopped at the end. The image is
# built into it first when missing (`berth image build`, minutes on the first run).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

count=${1:-10}
warmup=${WARMUP:-3}
[ "$warmup" -ge 1 ] && [ "$warmup" -le 10 ] || die "WARMUP between 1 and 10 (the first gives the bare runs their network)"
[ "$count" -ge 1 ] && [ "$count" -le 20 ] || die "between 1 and 20 creations (the benchmark is bounded)"
ensure_apt_packages curl docker.io openssl

work=$(mktemp -d /tmp/berth-bench-servers.XXXXXX)
server_pid="" own_engine=""
dockercli() { docker -H "$BERTH_TEST_DOCKER_HOST" "$@"; }
cleanup() {
  set +e
  if [ -n "${BERTH_TEST_DOCKER_HOST:-}" ]; then
    for name in $(dockercli ps -aq --filter "label=berth.bench=$(basename "$work")"); do dockercli rm -f "$name" >/dev/null; done
  fi
  # Berth's servers go through the API (what a user does), then anything left by name and label.
  for id in $(cat "$work/ids" 2>/dev/null); do api -o /dev/null -X DELETE "$base/api/servers/$id"; done
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  if [ -n "${BERTH_TEST_DOCKER_HOST:-}" ]; then
    for name in $(dockercli ps -aq --filter "name=^hosting-users-dind-" --filter "label=berth.session=default"); do dockercli rm -f "$name" >/dev/null; done
    bridge=$(dockercli network inspect -f '{{.Id}}' "$network" 2>/dev/null | cut -c1-12)
    dockercli network rm "$network" >/dev/null 2>&1
    if [ -n "$bridge" ]; then
      # Berth's host rules for the bench network (the next `berth serve` would drop them too).
      iptables -w 10 -S | grep -E -- "-j BERTH-[IO]-br-$bridge\$" | sed 's/^-A /-D /' | while read -r rule; do
        # shellcheck disable=SC2086 # a rule printed by iptables -S, split into its words
        iptables -w 10 $rule
      done
      for chain in "BERTH-I-br-$bridge" "BERTH-O-br-$bridge"; do iptables -w 10 -F "$chain" 2>/dev/null; iptables -w 10 -X "$chain" 2>/dev/null; done
    fi
  fi
  [ -n "$own_engine" ] && scripts/services/dockerd.sh stop "$work" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

installation="bench$(basename "$work" | tr -dc 'a-zA-Z0-9' | tail -c 7)"
network=""
if [ -z "${BERTH_TEST_DOCKER_HOST:-}" ]; then
  log "starting a test engine"
  eval "$(scripts/services/dockerd.sh start "$work")"
  own_engine=1
fi

log "building (Release)"
dotnet build src/Berth.Server -c Release -nologo -v quiet >/dev/null
berth=(dotnet src/Berth.Server/bin/Release/net10.0/berth.dll)
"${berth[@]}" image build --docker-host "$BERTH_TEST_DOCKER_HOST" >&2
image=$("${berth[@]}" image build --docker-host "$BERTH_TEST_DOCKER_HOST" | grep -o 'berth/virtual-server:[0-9a-f]*' | head -n 1)
[ -n "$image" ] || die "could not tell the image reference"

port=$(free_port)
base="http://127.0.0.1:$port"
password="bench-admin-password"
"${berth[@]}" serve --data-root "$work/data" --urls "$base" --ssh off --admin-password "$password" \
  --docker-host "$BERTH_TEST_DOCKER_HOST" --runtime-profile caps >"$work/server.log" 2>&1 &
server_pid=$!
wait_until 60 curl -fsS "$base/health" || { cat "$work/server.log" >&2; die "berth did not start"; }
api() { curl -fsS -b "$work/cookies" -c "$work/cookies" -H 'Content-Type: application/json' -H 'X-Berth-Csrf: 1' "$@"; }
api -o /dev/null -d "{\"email\":\"admin@admin.com\",\"password\":\"$password\"}" "$base/api/auth/login"
admin_id=$(api "$base/api/me" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
api -o /dev/null -X PUT -d '{"maxServers":100}' "$base/api/users/$admin_id/quota"

now_ms() { date +%s%3N; }
engine_tls="$work/data/_DATA/engine-tls"

server_state() { api "$base/api/servers/$1" | grep -o '"state":"[a-z]*"' | cut -d'"' -f4; }

berth_create() { # -> elapsed ms on stdout, id in $work/last-id
  local start id state line stream events
  # The way a client of the API waits (the panel does the same): the event stream, opened before the
  # POST; on each event of the new server one read of its state. WAIT=poll reads every 50 ms instead.
  if [ "${WAIT:-events}" = events ]; then
    exec {events}< <(exec curl -sN --max-time 95 -b "$work/cookies" "$base/api/events")
    stream=$!
    while read -r -t 10 -u "$events" line; do [ "$line" = "event: ready" ] && break; done
  fi
  start=$(now_ms)
  id=$(api -d "{\"name\":\"bench $1\"}" "$base/api/servers" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
  echo "$id" >"$work/last-id"
  echo "$id" >>"$work/ids"
  if [ "${WAIT:-events}" = events ]; then
    state=""
    while read -r -t 90 -u "$events" line; do
      case $line in
        data:*"\"serverId\":$id,"*) state=$(server_state "$id") ;;
        *) continue ;;
      esac
      [ "$state" = "running" ] || [ "$state" = "failed" ] && break
    done
    kill "$stream" 2>/dev/null || true
    exec {events}<&-
  else
    local deadline=$((SECONDS + 90))
    while state=$(server_state "$id"); [ "$state" != "running" ] && [ "$state" != "failed" ] && [ $SECONDS -lt $deadline ]; do
      sleep 0.05
    done
  fi
  [ "$state" = "failed" ] && die "server $id failed: $(api "$base/api/servers/$id")"
  [ "$state" = "running" ] || die "server $id not running within 90 s"
  echo $(($(now_ms) - start))
}

bare_run() { # $1 = Berth server id whose TLS material (server<id>) the bare container borrows
  local id=$1 dir="$work/bare/$1" start address deadline
  mkdir -p "$dir/apps" "$dir/docker"
  start=$(now_ms)
  dockercli run -d --name "bench-bare-$id-$installation" --hostname "server$id" --label "berth.bench=$(basename "$work")" \
    --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --security-opt systempaths=unconfined --cpus 1 --memory 1024m --pids-limit 2048 --restart unless-stopped \
    --network "$bench_network" -v "$dir/apps:/apps" -v "$dir/docker:/var/lib/docker" \
    -v "$engine_tls/servers/$id:/etc/berth/engine-tls:ro" "$image" >/dev/null
  address=$(dockercli inspect -f "{{(index .NetworkSettings.Networks \"$bench_network\").IPAddress}}" "bench-bare-$id-$installation")
  deadline=$((SECONDS + 90))
  until curl -fsS --max-time 2 --cacert "$engine_tls/ca.pem" --cert "$engine_tls/client.pem" --key "$engine_tls/client-key.pem" \
    --resolve "server$id:2376:$address" "https://server$id:2376/_ping" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "bare container $id: engine did not answer within 90 s"
    sleep 0.05
  done
  echo $(($(now_ms) - start))
}

# Untimed creations warm Berth up (the network, the rules, and the JIT: a fresh process compiles
# thousands of methods, most of them EF Core's, during its first creations and spends more CPU on that
# than on the creation itself; a platform that has run a while has them compiled). WARMUP=1 measures
# a nearly cold process. The first one also gives the bare runs their network.
log "$warmup warm-up creation(s)"
for i in $(seq 1 "$warmup"); do berth_create "w$i" >/dev/null; done
bench_network=$(dockercli inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' "hosting-users-dind-$(cat "$work/last-id")")
network=$bench_network

log "$count creations each way, interleaved"
for i in $(seq 1 "$count"); do
  printf -v n '%02d' "$i"
  berth_ms=$(berth_create "$n")
  bare_ms=$(bare_run "$(cat "$work/last-id")")
  echo "$berth_ms" >>"$work/berth.txt"
  echo "$bare_ms" >>"$work/bare.txt"
  log "  #$i berth ${berth_ms} ms, bare ${bare_ms} ms"
done

percentile() { # $1 file, $2 percent (nearest rank)
  sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { r = int((p / 100) * NR + 0.999999); if (r < 1) r = 1; print v[r] }'
}

log "idle 20 s, then memory"
sleep 20
dockercli stats --no-stream --format '{{.Name}} {{.MemUsage}}' >"$work/stats.txt"
mem_median() { # $1 name pattern -> median MiB
  grep -E "$1" "$work/stats.txt" | awk '{ v = $2; if (v ~ /GiB$/) { sub(/GiB/, "", v); v *= 1024 } else if (v ~ /MiB$/) { sub(/MiB/, "", v) } else if (v ~ /KiB$/) { sub(/KiB/, "", v); v /= 1024 } print v }' \
    | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else printf "%.0f (%d servers)\n", v[int((NR + 1) / 2)], NR }'
}

b50=$(percentile "$work/berth.txt" 50) b95=$(percentile "$work/berth.txt" 95)
r50=$(percentile "$work/bare.txt" 50) r95=$(percentile "$work/bare.txt" 95)
echo "== create -> running over $count creations each ($image, caps profile, 1 CPU / 1024 MiB / 2048 pids)"
echo "berth  p50 ${b50} ms  p95 ${b95} ms"
echo "bare   p50 ${r50} ms  p95 ${r95} ms"
echo "ratio  p50 $(awk -v a="$b50" -v b="$r50" 'BEGIN { printf "%.2f", a / b }')x  p95 $(awk -v a="$b95" -v b="$r95" 'BEGIN { printf "%.2f", a / b }')x"
echo "idle memory per server (median MiB): berth $(mem_median '^hosting-users-dind-')  bare $(mem_median '^bench-bare-')"
echo "image size: $(dockercli image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1000000 }')"
