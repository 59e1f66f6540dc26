#!/usr/bin/env bash
# Runs the platform on a fresh Debian 12 machine with the .NET SDK, in one command:
#   1. installs what is missing (scripts/run-packages.txt: Docker, debootstrap, iptables, ...);
#   2. starts a local Docker engine in the background when none answers on
#      /var/run/docker.sock (log data/dockerd.log, pidfile data/dockerd.pid; it keeps running
#      after this script ends, as the servers live in it);
#   3. builds the virtual-server image on first run (`berth image build`, progress printed;
#      skipped when the engine has the current tag);
#   4. migrates and serves the panel and API on http://127.0.0.1:8080 with the data root ./data
#      (SQLite at data/_DATA/control-backend/database.db). The first start prints the one-time
#      password of admin@admin.com.
# Environment: BERTH_DATA_ROOT (default ./data), BERTH_DOCKER_HOST (default
# unix:///var/run/docker.sock; an engine elsewhere must already run), BERTH_SERVER_IMAGE (use
# that image, build none). Extra arguments go to `berth serve` (see `scripts/berth serve --help`),
# e.g. `scripts/run.sh --urls http://127.0.0.1:9090`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
[ "$(id -u)" -eq 0 ] || die "run as root: Berth manages a Docker engine and the host firewall rules of the servers' network"
ensure_apt_packages $(cat scripts/run-packages.txt)
ensure_npm

export BERTH_DATA_ROOT="${BERTH_DATA_ROOT:-$PWD/data}"
export BERTH_DOCKER_HOST="${BERTH_DOCKER_HOST:-unix:///var/run/docker.sock}"
mkdir -p "$BERTH_DATA_ROOT"

engine_answers() {
  case "$BERTH_DOCKER_HOST" in
    unix://*) curl -fsS --max-time 2 --unix-socket "${BERTH_DOCKER_HOST#unix://}" http://localhost/_ping ;;
    tcp://*) curl -fsS --max-time 2 "http://${BERTH_DOCKER_HOST#tcp://}/_ping" ;;
    *) return 1 ;;
  esac
}

if ! engine_answers >/dev/null 2>&1; then
  [ "$BERTH_DOCKER_HOST" = "unix:///var/run/docker.sock" ] \
    || die "no Docker engine answers at $BERTH_DOCKER_HOST (only the default local engine is started by this script)"
  log "starting a Docker engine (log $BERTH_DATA_ROOT/dockerd.log)"
  # setsid: the engine outlives this script and is not stopped by Ctrl-C on the panel.
  setsid dockerd --host unix:///var/run/docker.sock --pidfile "$BERTH_DATA_ROOT/dockerd.pid" \
    >>"$BERTH_DATA_ROOT/dockerd.log" 2>&1 </dev/null &
  if ! wait_until 60 engine_answers; then
    tail -n 20 "$BERTH_DATA_ROOT/dockerd.log" >&2 || true
    die "the Docker engine did not answer within 60 s (see $BERTH_DATA_ROOT/dockerd.log)"
  fi
  log "Docker engine running (pid $(cat "$BERTH_DATA_ROOT/dockerd.pid"))"
fi

log "building Berth (the first build restores packages and compiles every project: about two minutes; later ones take seconds)"
# -v minimal prints a line as each project is done, so a long first build shows it is moving.
dotnet build src/Berth.Server -c Release -nologo -v minimal -clp:NoSummary
# The built program itself, not `dotnet run`: that keeps the SDK's own process resident beside it (~200 MB).
berth_dll=src/Berth.Server/bin/Release/net10.0/berth.dll
berth() { dotnet "$berth_dll" "$@"; }

if [ -z "${BERTH_SERVER_IMAGE:-}" ]; then
  log "virtual-server image (built on first run, a few minutes)"
  berth image build
fi

log "serving from $BERTH_DATA_ROOT"
exec dotnet "$berth_dll" serve "$@"
