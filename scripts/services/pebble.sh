#!/usr/bin/env bash
# A throwaway ACME CA (Pebble, from Debian's package) on loopback for the tests, with
# pebble-challtestsrv as its DNS server answering 127.0.0.1 for every name, so that any name
# validates against the HTTP-01 server a test runs on 127.0.0.1:$BERTH_TEST_ACME_HTTP_PORT.
# A second Pebble rejects half of the nonces (PEBBLE_WFE_NONCEREJECT) for the badNonce tests.
# Three more validate on a port of their own, where the server tests run Berth's edge: a plain one,
# a nonce-rejecting one, and one issuing 40-second certificates for the renewal tests. The DNS
# server's management API (add-a) lets a test point a name elsewhere to make a validation fail.
#   pebble.sh start RUN_DIR   -> prints `export BERTH_TEST_ACME_...=...` lines on stdout
#   pebble.sh stop RUN_DIR
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
action=$1 run_dir=$2
dir="$run_dir/pebble"

# Starts a background program, records its pid for stop, logs to $dir/NAME.log.
start_background() {
  local name=$1; shift
  "$@" >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

answers() {
  curl -fsS --max-time 2 --cacert "$dir/ca.pem" "$1" >/dev/null
}

# Starts one Pebble: NAME NONCE_REJECT_PERCENT HTTP01_PORT [CERTIFICATE_VALIDITY_SECONDS];
# prints its listener and management ports.
start_pebble() {
  local name=$1 nonce_reject=$2
  local port management http_port tls_port validity=""
  port=$(free_port) management=$(free_port) http_port=$3 tls_port=$(free_port)
  [ -n "${4:-}" ] && validity="\"certificateValidityPeriod\": $4,"

  cat >"$dir/$name.json" <<JSON
{
  "pebble": {
    "listenAddress": "127.0.0.1:$port",
    "managementListenAddress": "127.0.0.1:$management",
    "certificate": "$dir/listener.pem",
    "privateKey": "$dir/listener.key",
    "httpPort": $http_port,
    "tlsPort": $tls_port,
    $validity
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
JSON
  # PEBBLE_VA_NOSLEEP: validate at once instead of after a random pause.
  # PEBBLE_AUTHZREUSE=0: every order gets fresh authorizations, so each test validates for real.
  start_background "$name" env PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT="$nonce_reject" \
    pebble -config "$dir/$name.json" -dnsserver "127.0.0.1:$dns_port"
  if ! wait_until 30 answers "https://127.0.0.1:$port/dir"; then
    cat "$dir/$name.log" >&2
    die "$name did not answer on https://127.0.0.1:$port/dir"
  fi
  echo "$port $management"
}

case "$action" in
  start)
    command -v pebble >/dev/null || die "pebble not found (Debian package pebble)"
    command -v pebble-challtestsrv >/dev/null || die "pebble-challtestsrv not found (Debian package pebble)"
    command -v openssl >/dev/null || die "openssl not found (Debian package openssl)"
    command -v curl >/dev/null || die "curl not found (Debian package curl)"
    mkdir -p "$dir"

    # A CA of our own signs Pebble's listener certificate; the tests trust it explicitly.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
      -subj "/CN=Berth test ACME listener CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$dir/openssl.log" \
      || { cat "$dir/openssl.log" >&2; die "openssl could not create the listener CA"; }
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
      -keyout "$dir/listener.key" -out "$dir/listener.csr" 2>>"$dir/openssl.log" \
      || { cat "$dir/openssl.log" >&2; die "openssl could not create the listener key"; }
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' >"$dir/listener.ext"
    openssl x509 -req -in "$dir/listener.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
      -extfile "$dir/listener.ext" -out "$dir/listener.pem" 2>>"$dir/openssl.log" \
      || { cat "$dir/openssl.log" >&2; die "openssl could not sign the listener certificate"; }

    # DNS that answers 127.0.0.1 for every A query and nothing for AAAA; every other listener off.
    dns_port=$(free_port) challtest_management=$(free_port)
    start_background challtestsrv pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
      -dns01 "127.0.0.1:$dns_port" -management "127.0.0.1:$challtest_management" \
      -http01 "" -https01 "" -tlsalpn01 ""
    if ! wait_until 15 port_open "$challtest_management"; then
      cat "$dir/challtestsrv.log" >&2
      die "pebble-challtestsrv did not start"
    fi

    http_port=$(free_port)
    read -r port management < <(start_pebble pebble 0 "$http_port")
    read -r reject_port _ < <(start_pebble pebble-nonce-reject 50 "$(free_port)")
    echo "export BERTH_TEST_ACME_DIRECTORY='https://127.0.0.1:$port/dir'"
    echo "export BERTH_TEST_ACME_MANAGEMENT='https://127.0.0.1:$management'"
    echo "export BERTH_TEST_ACME_TRUST_ROOT='$dir/ca.pem'"
    echo "export BERTH_TEST_ACME_HTTP_PORT='$http_port'"
    echo "export BERTH_TEST_ACME_NONCE_REJECT_DIRECTORY='https://127.0.0.1:$reject_port/dir'"

    edge_http_port=$(free_port)
    read -r edge_port edge_management < <(start_pebble pebble-edge 0 "$edge_http_port")
    read -r edge_reject_port edge_reject_management < <(start_pebble pebble-edge-nonce-reject 50 "$edge_http_port")
    read -r edge_short_port edge_short_management < <(start_pebble pebble-edge-short 0 "$edge_http_port" 40)
    echo "export BERTH_TEST_EDGE_ACME_HTTP_PORT='$edge_http_port'"
    echo "export BERTH_TEST_EDGE_ACME_DIRECTORY='https://127.0.0.1:$edge_port/dir'"
    echo "export BERTH_TEST_EDGE_ACME_MANAGEMENT='https://127.0.0.1:$edge_management'"
    echo "export BERTH_TEST_EDGE_ACME_NONCE_REJECT_DIRECTORY='https://127.0.0.1:$edge_reject_port/dir'"
    echo "export BERTH_TEST_EDGE_ACME_NONCE_REJECT_MANAGEMENT='https://127.0.0.1:$edge_reject_management'"
    echo "export BERTH_TEST_EDGE_ACME_SHORT_DIRECTORY='https://127.0.0.1:$edge_short_port/dir'"
    echo "export BERTH_TEST_EDGE_ACME_SHORT_MANAGEMENT='https://127.0.0.1:$edge_short_management'"
    echo "export BERTH_TEST_ACME_DNS_MANAGEMENT='http://127.0.0.1:$challtest_management'"
    # The same DNS server answers the TXT records tests set through its management API (set-txt).
    echo "export BERTH_TEST_DNS_SERVER='127.0.0.1:$dns_port'"
    ;;
  stop)
    for name in pebble pebble-nonce-reject pebble-edge pebble-edge-nonce-reject pebble-edge-short challtestsrv; do
      if [ -f "$dir/$name.pid" ]; then
        kill "$(cat "$dir/$name.pid")" 2>/dev/null || true
        rm -f "$dir/$name.pid"
      fi
    done
    ;;
  *) die "usage: $0 start|stop RUN_DIR" ;;
esac
