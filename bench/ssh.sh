#!/usr/bin/env bash
# SSH entry benchmark (bounded: one server, ROUNDS rounds, one SIZE_MB file per copy):
#   login + command: wall time of `ssh … true` through Berth's entry (ssh -p PORT server<id>@127.0.0.1)
#   against the same `ssh root@<server address> true` straight to the sshd inside the server (the
#   limit: the entry relays to that sshd); rounds alternate, medians and their ratio.
#   scp: a SIZE_MB file of random bytes copied into the server's /apps, through the entry and
#   direct, alternating; MB/s of the medians and their ratio.
#   bench/ssh.sh        (env ROUNDS=10 SIZE_MB=256; at most 30 rounds and 1024 MB)
# Engine: BERTH_TEST_DOCKER_HOST when set, otherwise one started with scripts/services/dockerd.sh.
# Traffic: loopback and the server container this run creates, nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

rounds=${ROUNDS:-10} size_mb=${SIZE_MB:-256}
[ "$rounds" -ge 2 ] && [ "$rounds" -le 30 ] || die "ROUNDS between 2 and 30"
[ "$size_mb" -ge 1 ] && [ "$size_mb" -le 1024 ] || die "SIZE_MB between 1 and 1024"
ensure_apt_packages curl docker.io openssh-client python3

work=$(mktemp -d /tmp/berth-bench-ssh.XXXXXX)
server_pid="" own_engine="" id=""
dockercli() { docker -H "$BERTH_TEST_DOCKER_HOST" "$@"; }
cleanup() {
  local status=$?
  set +e
  [ "$status" -ne 0 ] && [ -f "$work/server.log" ] && { log "berth's log (last lines):"; tail -n 40 "$work/server.log" >&2; }
  [ -n "$id" ] && api -o /dev/null -X DELETE "$base/api/servers/$id"
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$id" ] && [ -n "${BERTH_TEST_DOCKER_HOST:-}" ] && dockercli rm -f "hosting-users-dind-$id" >/dev/null 2>&1
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
ssh_port=$(free_port)
base="http://127.0.0.1:$port"
password="bench-admin-password"
# The host firewall is off so that the direct peer (the host dialling the server's sshd) is possible.
"${berth[@]}" serve --data-root "$work/data" --urls "$base" --admin-password "$password" \
  --docker-host "$BERTH_TEST_DOCKER_HOST" --runtime-profile caps --host-firewall off \
  --ssh-listen "127.0.0.1:$ssh_port" >"$work/server.log" 2>&1 &
server_pid=$!
wait_until 60 curl -fsS "$base/health" || { cat "$work/server.log" >&2; die "berth did not start"; }
api() { curl -fsS -b "$work/cookies" -c "$work/cookies" -H 'X-Berth-Csrf: 1' "$@"; }
json() { api -H 'Content-Type: application/json' "$@"; }
json -o /dev/null -d "{\"email\":\"admin@admin.com\",\"password\":\"$password\"}" "$base/api/auth/login"
id=$(json -d '{"name":"ssh bench"}' "$base/api/servers" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
wait_until 120 sh -c "curl -fsS -b '$work/cookies' '$base/api/servers/$id' | grep -q '\"state\":\"running\"'" || die "server $id did not start"
address=$(dockercli inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "hosting-users-dind-$id")

ssh-keygen -q -t ed25519 -N "" -f "$work/key"
python3 - "$work/key.pub" >"$work/key.json" <<'PY'
import json, sys
print(json.dumps({"name": "bench", "publicKey": open(sys.argv[1]).read().strip()}))
PY
json -o /dev/null -d @"$work/key.json" "$base/api/me/ssh-keys"
opts=(-F /dev/null -i "$work/key" -o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR
      -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile="$work/known_hosts")
entry() { ssh -p "$ssh_port" "${opts[@]}" "server$id@127.0.0.1" "$@"; }
direct() { ssh "${opts[@]}" "root@$address" "$@"; }
# The direct peer logs in with the same key: put it in root's authorized_keys inside the server, via the entry.
entry 'mkdir -p /root/.ssh && cat >> /root/.ssh/authorized_keys' <"$work/key.pub"
entry true && direct true || die "ssh through the entry or direct did not work"

now() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

log "login + command: $rounds rounds"
: >"$work/entry.ms"; : >"$work/direct.ms"
for round in $(seq 1 "$rounds"); do
  for peer in $([ $((round % 2)) -eq 0 ] && echo "entry direct" || echo "direct entry"); do
    start=$(now); $peer true; end=$(now)
    echo $(((end - start) / 1000)) >>"$work/$peer.ms"
  done
done
entry_ms=$(median <"$work/entry.ms"); direct_ms=$(median <"$work/direct.ms")

log "scp: $size_mb MB, $((rounds < 5 ? rounds : 5)) rounds"
head -c "$((size_mb * 1024 * 1024))" /dev/urandom >"$work/payload"
: >"$work/entry.scp"; : >"$work/direct.scp"
for round in $(seq 1 "$((rounds < 5 ? rounds : 5))"); do
  for peer in $([ $((round % 2)) -eq 0 ] && echo "entry direct" || echo "direct entry"); do
    start=$(now)
    if [ "$peer" = entry ]; then
      scp -P "$ssh_port" "${opts[@]}" "$work/payload" "server$id@127.0.0.1:/apps/payload"
    else
      scp "${opts[@]}" "$work/payload" "root@$address:/apps/payload"
    fi
    end=$(now)
    echo $(((end - start) / 1000)) >>"$work/$peer.scp"
  done
done
entry_scp=$(median <"$work/entry.scp"); direct_scp=$(median <"$work/direct.scp")
[ "$(entry sha256sum /apps/payload | cut -d' ' -f1)" = "$(sha256sum "$work/payload" | cut -d' ' -f1)" ] || die "the copy differs"

python3 - "$entry_ms" "$direct_ms" "$entry_scp" "$direct_scp" "$size_mb" <<'PY'
import sys
entry_ms, direct_ms, entry_scp, direct_scp = (float(v) / 1000 for v in sys.argv[1:5])
size = float(sys.argv[5])
print(f"login + command (median ms): entry {entry_ms:.1f}, direct sshd {direct_ms:.1f}, ratio {entry_ms / direct_ms:.2f}x (goal <= 1.3x)")
print(f"scp {size:.0f} MB (MB/s): entry {size / (entry_scp / 1000):.1f}, direct sshd {size / (direct_scp / 1000):.1f}, ratio {direct_scp / entry_scp:.2f}x (goal >= 0.8x)")
PY
