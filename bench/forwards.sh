#!/usr/bin/env bash
# The port-forward benchmark: a container on the run's engine serves two TCP ports — SOURCE sends
# $SIZE_MIB MiB and closes (busybox dd from /dev/zero), GREET sends one byte per connection — and one
# client (bench/ForwardBench measure) reads the transfer to its end (MiB/s) and then opens $CONNECTIONS
# connections one after another, each until its first byte (connection setup as an app sees it).
# Targets, in one run, on the same container:
#   direct    straight to the container's address (the limit)
#   berth     Berth's forward listeners (src/Berth.Core/Forwards, production code and defaults) on 127.0.0.1
#   haproxy   HAProxy in TCP mode (mode tcp, default threads) on 127.0.0.1, doing the same job
# Rounds alternate the order (odd: as above, even: reversed); ratios to direct are taken within a round
# and the median over rounds is printed. Loopback and the run's own container only; bounded (sizes, counts).
#   bench/forwards.sh   (env: ROUNDS=5 SIZE_MIB=1024 CONNECTIONS=500 FORWARD_BUFFER=bytes (default: Berth's); quick try: ROUNDS=1 SIZE_MIB=256 CONNECTIONS=100)
# Engine: BERTH_TEST_DOCKER_HOST (an engine from scripts/services/dockerd.sh); its default bridge network is used.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ROUNDS=${ROUNDS:-5}
SIZE_MIB=${SIZE_MIB:-1024}
CONNECTIONS=${CONNECTIONS:-500}
[ "$SIZE_MIB" -ge 1 ] && [ "$SIZE_MIB" -le 4096 ] || die "SIZE_MIB between 1 and 4096"
[ "$CONNECTIONS" -ge 10 ] && [ "$CONNECTIONS" -le 5000 ] || die "CONNECTIONS between 10 and 5000"
[ -n "${BERTH_TEST_DOCKER_HOST:-}" ] || die "set BERTH_TEST_DOCKER_HOST (start one with scripts/services/dockerd.sh)"
ensure_apt_packages haproxy busybox-static docker.io

work=$(mktemp -d /tmp/berth-bench-forwards.XXXXXX)
dockercli() { docker -H "$BERTH_TEST_DOCKER_HOST" "$@"; }
container="berth-bench-forwards-$(basename "$work" | tr -dc 'a-zA-Z0-9' | tail -c 7)"
pids=()
cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  dockercli rm -f "$container" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

log "building bench/ForwardBench (Release)"
dotnet build bench/ForwardBench -c Release -nologo -v quiet -o "$work/bench" >/dev/null
bench=("$work/bench/ForwardBench")

# A busybox image made here (no registry): the static binary and its applets.
image=berth-bench/busybox:forwards
if ! dockercli image inspect "$image" >/dev/null 2>&1; then
  mkdir -p "$work/rootfs/bin" "$work/rootfs/dev" "$work/rootfs/proc" "$work/rootfs/sys" "$work/rootfs/tmp"
  cp /bin/busybox "$work/rootfs/bin/busybox"
  for applet in sh nc dd echo printf cat sleep; do ln -s busybox "$work/rootfs/bin/$applet"; done
  tar -C "$work/rootfs" -c . | dockercli import - "$image" >/dev/null
fi

source_port=9000 greet_port=9001
bytes=$((SIZE_MIB * 1024 * 1024))
dockercli run -d --name "$container" --label "berth.bench=forwards" "$image" sh -c \
  "nc -ll -p $source_port -e dd if=/dev/zero bs=65536 count=$((bytes / 65536)) 2>/dev/null & nc -ll -p $greet_port -e printf x & wait" >/dev/null
address=$(dockercli inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$container")
[ -n "$address" ] || die "the container has no address"
log "target container $container at $address"

berth_port=$(free_port)
until [ "$((berth_port + 1))" -le 32767 ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$((berth_port + 1))") 2>/dev/null; do berth_port=$(free_port); done
coproc SPLICE { "${bench[@]}" splice "$berth_port" "$address" "$source_port" "$greet_port"; }
pids+=("$SPLICE_PID")
read -r ready <&"${SPLICE[0]}"
log "berth: $ready on 127.0.0.1:$berth_port and $((berth_port + 1))"

haproxy_port=$(free_port)
until ! (exec 3<>"/dev/tcp/127.0.0.1/$((haproxy_port + 1))") 2>/dev/null; do haproxy_port=$(free_port); done
cat >"$work/haproxy.cfg" <<CFG
global
  log stdout format raw local0 emerg
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen source
  bind 127.0.0.1:$haproxy_port
  server s $address:$source_port
listen greet
  bind 127.0.0.1:$((haproxy_port + 1))
  server g $address:$greet_port
CFG
haproxy -f "$work/haproxy.cfg" -db >/dev/null 2>&1 &
pids+=("$!")
wait_until 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$haproxy_port" || die "haproxy did not start"
wait_until 10 bash -c "exec 3<>/dev/tcp/$address/$greet_port" || die "the container does not answer"

measure() { # name host source greet
  "${bench[@]}" measure "$1" "$2" "$3" "$4" "$CONNECTIONS"
}

results="$work/results"
targets=(direct berth haproxy)
for round in $(seq 1 "$ROUNDS"); do
  order=("${targets[@]}")
  [ $((round % 2)) -eq 0 ] && order=(haproxy berth direct)
  for target in "${order[@]}"; do
    case $target in
      direct) line=$(measure direct "$address" "$source_port" "$greet_port") ;;
      berth) line=$(measure berth 127.0.0.1 "$berth_port" "$((berth_port + 1))") ;;
      haproxy) line=$(measure haproxy 127.0.0.1 "$haproxy_port" "$((haproxy_port + 1))") ;;
    esac
    read -r name got mibs p50 p99 rate <<<"$line"
    [ "$got" -eq "$bytes" ] || die "$name: read $got of $bytes bytes"
    echo "$round $name $mibs $p50 $p99 $rate" >>"$results"
    log "round $round $name: $mibs MiB/s, setup p50 $p50 ms p99 $p99 ms ($rate conn/s one at a time)"
  done
done

# Medians of per-round figures and of per-round ratios to direct.
/usr/bin/python3 - "$results" "$SIZE_MIB" "$CONNECTIONS" "$ROUNDS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for r, name, mibs, p50, p99, rate in rows:
    by.setdefault(int(r), {})[name] = (float(mibs), float(p50), float(p99), float(rate))
def med(xs): return statistics.median(xs)
print(f"\nForwards: {sys.argv[2]} MiB transfer, {sys.argv[3]} sequential connections, {sys.argv[4]} round(s); medians")
print(f"{'target':8} {'MiB/s':>8} {'x direct':>9} {'setup p50 ms':>13} {'setup p99 ms':>13} {'p99 - direct':>13} {'conn/s':>7}")
for name in ("direct", "berth", "haproxy"):
    rounds = [v for v in by.values() if name in v and "direct" in v]
    mibs = med([v[name][0] for v in rounds]); ratio = med([v[name][0] / v["direct"][0] for v in rounds])
    p50 = med([v[name][1] for v in rounds]); p99 = med([v[name][2] for v in rounds])
    dp99 = med([v[name][2] - v["direct"][2] for v in rounds]); rate = med([v[name][3] for v in rounds])
    print(f"{name:8} {mibs:8.1f} {ratio:9.2f} {p50:13.3f} {p99:13.3f} {dp99:+13.3f} {rate:7.0f}")
PY
