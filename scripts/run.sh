#!/usr/bin/env bash
# Runs the platform on a fresh Debian 12 machine with the .NET SDK: installs what is missing,
# migrates, and serves the panel and API on http://127.0.0.1:8080 with the data root ./data
# (SQLite at data/_DATA/control-backend/database.db). The first start prints the one-time
# password of admin@admin.com. Extra arguments go to `berth serve` (see `scripts/berth serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
ensure_apt_packages $(cat scripts/run-packages.txt)
export BERTH_DATA_ROOT="${BERTH_DATA_ROOT:-$PWD/data}"
log "building"
dotnet build src/Berth.Server -c Release -nologo -v quiet
log "serving from $BERTH_DATA_ROOT"
exec dotnet run --project src/Berth.Server -c Release --no-build --no-launch-profile -- serve "$@"
