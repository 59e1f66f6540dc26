# Shared shell helpers for scripts/*.sh. Sourced, not run.

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs Debian packages that are missing (root, as on these machines). Quiet when all are present.
ensure_apt_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# npm builds the panel's browser libraries (xterm.js, from the npm registry at build time). A Node.js
# installed otherwise (e.g. NodeSource's, which bundles npm) is used as is; else Debian's npm.
ensure_npm() {
  command -v npm >/dev/null 2>&1 || ensure_apt_packages npm
}

# Prints a TCP port on 127.0.0.1 that nothing listens on (probes loopback only).
free_port() {
  local port
  # Below Linux's ephemeral range (32768 and up): a port no outgoing connection can be holding meanwhile.
  for port in $(shuf -i 20000-32767 -n 100); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found on 127.0.0.1"
}

# Waits until a command succeeds, at most $1 seconds.
wait_until() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}
