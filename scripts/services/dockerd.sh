#!/usr/bin/env bash
# A Docker engine of the test run's own, started from the docker.io package.
#   dockerd.sh start RUN_DIR   -> prints `export BERTH_TEST_DOCKER_HOST=unix:///...` on stdout
#   dockerd.sh stop RUN_DIR    -> removes every container it ran, stops the engine
#
# Several runs may share this machine (other work trees), so each engine gets a slot of its
# own: a data root /var/lib/berth-test/docker-<slot> held by a lock for the engine's lifetime
# (images built in an earlier run stay cached there), its own bridge and address pool, and its
# socket and exec root under RUN_DIR / /run/berth-test.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
action=$1 run_dir=$2
dir="$run_dir/dockerd"
base=/var/lib/berth-test
slots=4

engine_answers() {
  curl -fsS --max-time 2 --unix-socket "$dir/docker.sock" http://localhost/_ping
}

case "$action" in
  start)
    command -v dockerd >/dev/null || die "dockerd not found (package docker.io)"
    command -v curl >/dev/null || die "curl not found (package curl)"
    mkdir -p "$dir" "$base"
    slot=""
    for candidate in $(seq 0 $((slots - 1))); do
      # The lock file descriptor stays open in this shell only long enough to test it; the
      # engine below holds the lock for as long as it runs (flock's child keeps the fd).
      if flock -n "$base/docker-$candidate.lock" true; then
        slot=$candidate
        break
      fi
    done
    [ -n "$slot" ] || die "all $slots test engine slots in $base are in use by other runs"
    bridge="berthtest$slot"
    exec_root="/run/berth-test/$(basename "$run_dir")"
    mkdir -p "$exec_root"
    echo "$slot" >"$dir/slot"
    echo "$exec_root" >"$dir/exec-root"

    # The default bridge of a second engine must not be docker0: give it one of its own.
    ip link show "$bridge" >/dev/null 2>&1 || ip link add name "$bridge" type bridge
    ip addr flush dev "$bridge"
    ip addr add "10.231.$slot.1/24" dev "$bridge"
    ip link set "$bridge" up

    flock -n "$base/docker-$slot.lock" \
      dockerd \
      --host "unix://$dir/docker.sock" \
      --data-root "$base/docker-$slot" \
      --exec-root "$exec_root" \
      --pidfile "$dir/dockerd.pid" \
      --bridge "$bridge" \
      --default-address-pool "base=10.$((232 + slot)).0.0/16,size=24" \
      --log-level warn \
      >"$dir/dockerd.log" 2>&1 &
    echo $! >"$dir/flock.pid"

    if ! wait_until 30 engine_answers; then
      tail -n 30 "$dir/dockerd.log" >&2 || true
      "$0" stop "$run_dir" || true
      die "dockerd did not answer on $dir/docker.sock within 30 s"
    fi
    echo "export BERTH_TEST_DOCKER_HOST=unix://$dir/docker.sock"
    ;;
  stop)
    [ -f "$dir/flock.pid" ] || exit 0
    if engine_answers >/dev/null 2>&1; then
      # Every container of the run goes, whatever state it is in; images stay as a cache.
      for id in $(curl -fsS --unix-socket "$dir/docker.sock" 'http://localhost/containers/json?all=1' \
        | grep -o '"Id":"[0-9a-f]*"' | cut -d'"' -f4); do
        curl -fsS -X DELETE --unix-socket "$dir/docker.sock" "http://localhost/containers/$id?force=1&v=1" >/dev/null || true
      done
      curl -fsS -X POST --unix-socket "$dir/docker.sock" http://localhost/networks/prune >/dev/null || true
    fi
    if [ -f "$dir/dockerd.pid" ]; then
      pid=$(cat "$dir/dockerd.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    flock_pid=$(cat "$dir/flock.pid")
    for _ in $(seq 1 50); do kill -0 "$flock_pid" 2>/dev/null || break; sleep 0.1; done
    exec_root=$(cat "$dir/exec-root" 2>/dev/null || true)
    if [ -n "$exec_root" ] && [ -d "$exec_root" ]; then
      umount -R "$exec_root" 2>/dev/null || true
      rm -rf "$exec_root"
    fi
    slot=$(cat "$dir/slot" 2>/dev/null || true)
    [ -n "$slot" ] && ip link delete "berthtest$slot" 2>/dev/null || true
    rm -f "$dir/flock.pid"
    ;;
  *) die "usage: $0 start|stop RUN_DIR" ;;
esac
