#!/usr/bin/env bash
# Takes current pictures of each main page of the panel into docs/screenshots/ (PNG): a real
# Berth on a real Docker engine with a running server, in the system Chromium. Starts the
# services the way scripts/test.sh does and runs only the browser tests' Screenshots category.
#   scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
exec env BERTH_SCREENSHOTS_DIR="$PWD/docs/screenshots" scripts/test.sh \
  --filter "Category=Screenshots"
