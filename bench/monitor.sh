#!/usr/bin/env bash
# Monitor benchmark: delay from a container state change to its row (p50/p95), and the monitor's
# CPU time per minute while idle with many engines. Starts its own test dockerd; loopback only.
#   bench/monitor.sh [--changes 50] [--engines 20] [--containers 5] [--idle-seconds 120]
# (the idle window should span whole sweeps: MonitorOptions.SweepInterval, 120 s by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
run_dir=$(mktemp -d /tmp/berth-bench-monitor.XXXXXX)
chmod 755 "$run_dir"
trap 'scripts/services/dockerd.sh stop "$run_dir" || true; rm -rf "$run_dir"' EXIT
eval "$(scripts/services/dockerd.sh start "$run_dir")"
dotnet build bench/MonitorBench -c Release -nologo -v quiet
timeout 900 dotnet bench/MonitorBench/bin/Release/net10.0/MonitorBench.dll "$@"
