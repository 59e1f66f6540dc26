#!/usr/bin/env bash
# The edge benchmark: one origin (nginx, 1 worker, on 127.0.0.1) measured with wrk through every proxy,
# in one run, on two workloads:
#   file  today's 23-byte static file (wrk -c$CONNECTIONS);
#   page  a realistic page: about 10 KB of HTML after 1-2 ms of think time per request (ngx.sleep(0.001)
#         in the origin's Lua module, like an application waiting on its database; wrk -c$PAGE_CONNECTIONS).
#         The same nginx for both and every target: about 20 µs of CPU per file and 35 per page, where
#         an origin in .NET or Python would take much of the CPU the proxies are measured on.
# Targets (all with one route, bench-0.test, and the same forwarding headers; keep-alive to the origin,
# access logs off, each proxy with its own default worker/thread count: one per core here):
#   direct          wrk straight to the origin (the limit)
#   nginx           nginx as the reverse proxy (worker_processes $NGINX_WORKERS)
#   haproxy         HAProxy (nbthread left to its default: one thread per core; http-reuse always)
#   caddy           Caddy, what the original platform ran (GOMAXPROCS left to its default)
#   edge-yarp       Berth's edge on YARP's forwarder alone (every edge variant on Kestrel's socket transport)
#   edge-origin     + the edge's own HTTP/1.1 origin client (src/Berth.Proxy/Origins)
#   edge-lane       + the plain lane (src/Berth.Proxy/Lane): the edge as in production
#   nginx-https     nginx over HTTPS (TLS 1.3, a self-signed P-256 certificate made here)
#   edge-https      the production edge over HTTPS, same certificate
# Then the edge's memory with 10,000 routes and 1,000 certificates, and YARP's own routes for comparison.
#   bench/edge.sh        (env: ROUNDS=5 DURATION=6s WARMUP=5s THREADS=2 CONNECTIONS=64 PAGE_CONNECTIONS=128
#                         NGINX_WORKERS=auto; quick try: ROUNDS=1 DURATION=2s WARMUP=1s)
# Every target runs once per round, odd rounds in the order above and even rounds reversed, so no target
# always follows the same other one; other work on a shared machine moves single runs by ±15%, so each
# ratio to nginx is taken within a round (targets measured seconds apart) and the median over rounds is
# printed. "CPU" is the CPU time per request of the measured process(es): the proxy's, or the origin's
# for direct; "origin CPU" is the origin's in the same run. Loopback only; every load is bounded (wrk -d).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

DURATION=${DURATION:-6s}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
# Think time holds each request about 1.2 ms at the origin: 128 connections allow 128 / 1.2 ms ≈ 100,000
# req/s before the think time limits anything, several times what any proxy reaches here, so the proxies
# stay CPU-bound, while each keeps up to 128 origin connections busy as a loaded site would.
PAGE_CONNECTIONS=${PAGE_CONNECTIONS:-128}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
ROUTES_MANY=10000
HOST=bench-0.test

ensure_apt_packages wrk nginx libnginx-mod-http-lua haproxy caddy openssl util-linux

work=$(mktemp -d /tmp/berth-bench.XXXXXX)
chmod 755 "$work"
pids=()
edge_in=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work" 2>/dev/null || { sleep 2; rm -rf "$work"; }
}
trap cleanup EXIT

log "building bench/EdgeBench (Release)"
dotnet build bench/EdgeBench -c Release -nologo -v quiet -o "$work/edge" >/dev/null

# --- the certificate for HTTPS, and a name for wrk to send as SNI -----------------------------------
mkdir -p "$work/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 -subj "/CN=$HOST" \
  -addext "subjectAltName=DNS:$HOST,IP:127.0.0.1" -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" 2>/dev/null
chmod 644 "$work/tls/key.pem"
# wrk sends the URL's host as SNI and has no --resolve: each HTTPS wrk runs in a mount namespace of its
# own where a bind mount over /etc/hosts maps bench-0.test to 127.0.0.1 (nothing changes outside it).
# Without namespaces (no CAP_SYS_ADMIN) the URL says 127.0.0.1 and both servers' fallback certificate
# answers; an edge that refuses SNI/Host mismatches with 421 would then fail the run.
printf '127.0.0.1 localhost\n127.0.0.1 %s\n' "$HOST" > "$work/hosts"
tls_host=$HOST
if ! unshare --mount sh -c 'mount --bind "$1" /etc/hosts && getent hosts "$2"' sh "$work/hosts" "$HOST" >/dev/null 2>&1; then
  log "no mount namespace for wrk: HTTPS goes to https://127.0.0.1 (SNI 127.0.0.1, fallback certificate)"
  tls_host=127.0.0.1
fi

# --- the origin: nginx, one worker; the file, and the page after its think time ---------------------
mkdir -p "$work/www" "$work/origin"
printf 'hello from the origin\n' > "$work/www/index.txt"   # 23 bytes, like the baseline in ENVIRONMENT.md
{
  printf '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>A page</title></head>\n<body>\n'
  for ((i = 1; i <= 67; i++)); do
    printf '<p class="item-%02d">Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua, %02d.</p>\n' "$i" "$i"
  done
  printf '</body>\n</html>\n'
} > "$work/www/page.html"
chmod -R a+rX "$work/www"
page_bytes=$(stat -c %s "$work/www/page.html")
origin_port=$(free_port)
cat > "$work/origin/nginx.conf" <<CONF
load_module /usr/share/nginx/modules/ndk_http_module.so;
load_module /usr/share/nginx/modules/ngx_http_lua_module.so;
worker_processes 1;
pid $work/origin/nginx.pid;
error_log $work/origin/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:$origin_port default_server; root $work/www;
    location / { }
    # Think time: nginx's timers count whole milliseconds, so 1 ms asked is 1-2 ms waited (measured below).
    location = /page.html { access_by_lua_block { ngx.sleep(0.001) } }
  }
}
CONF
nginx -p "$work/origin" -c "$work/origin/nginx.conf" -g 'daemon off;' &
pids+=($!)
wait_until 10 curl -fsS "http://127.0.0.1:$origin_port/page.html" || die "origin did not start"
origin_workers=$(pgrep -P "$(cat "$work/origin/nginx.pid")" | tr '\n' ' ')

# --- nginx as the reverse proxy, HTTP and HTTPS ---------------------------------------------------
nginx_port=$(free_port) nginx_tls_port=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes $NGINX_WORKERS;
pid $work/nginx/nginx.pid; error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 1000000; keepalive_timeout 120s;
  ssl_certificate $work/tls/cert.pem; ssl_certificate_key $work/tls/key.pem;
  upstream origin { server 127.0.0.1:$origin_port; keepalive 128; }
  proxy_http_version 1.1; proxy_buffering off;
  proxy_set_header Connection ""; proxy_set_header Host \$http_host;
  proxy_set_header X-Forwarded-For \$remote_addr; proxy_set_header X-Forwarded-Proto \$scheme;
  proxy_set_header X-Forwarded-Host \$http_host;
  server { listen 127.0.0.1:$nginx_port default_server; listen 127.0.0.1:$nginx_tls_port ssl default_server; return 404; }
  server {
    listen 127.0.0.1:$nginx_port; listen 127.0.0.1:$nginx_tls_port ssl; server_name $HOST;
    location / { proxy_pass http://origin; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
wait_until 20 curl -fsS -H "Host: $HOST" "http://127.0.0.1:$nginx_port/index.txt" || die "nginx proxy did not start"

# --- HAProxy ----------------------------------------------------------------------------------------
haproxy_port=$(free_port)
cat > "$work/haproxy.cfg" <<CONF
global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout http-keep-alive 120s
  # Like nginx's upstream keepalive: any idle origin connection serves any request.
  http-reuse always
frontend proxy
  bind 127.0.0.1:$haproxy_port
  http-request set-header X-Forwarded-For %[src]
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  use_backend origin if { req.hdr(host) -i $HOST }
backend origin
  server origin 127.0.0.1:$origin_port
CONF
haproxy -db -f "$work/haproxy.cfg" &
pids+=($!)
haproxy_pid=$!
wait_until 20 curl -fsS -H "Host: $HOST" "http://127.0.0.1:$haproxy_port/index.txt" || die "HAProxy did not start"
haproxy_threads=$(awk '/^Threads/ { print $2 }' "/proc/$haproxy_pid/status")

# --- Caddy (X-Forwarded-For/-Proto/-Host are its reverse_proxy's defaults) -------------------------
caddy_port=$(free_port)
mkdir -p "$work/caddy"
cat > "$work/caddy/Caddyfile" <<CONF
{
	admin off
	auto_https off
	storage file_system $work/caddy/data
}
http://$HOST:$caddy_port {
	bind 127.0.0.1
	reverse_proxy 127.0.0.1:$origin_port {
		transport http {
			keepalive_idle_conns_per_host 256
		}
	}
}
CONF
HOME="$work/caddy" XDG_CONFIG_HOME="$work/caddy" XDG_DATA_HOME="$work/caddy" \
  caddy run --config "$work/caddy/Caddyfile" --adapter caddyfile > "$work/caddy/out.log" 2>&1 &
pids+=($!)
caddy_pid=$!
wait_until 20 curl -fsS -H "Host: $HOST" "http://127.0.0.1:$caddy_port/index.txt" || { cat "$work/caddy/out.log" >&2; die "Caddy did not start"; }

# --- Berth's edge, one process per variant ----------------------------------------------------------
# Server GC, non-concurrent, PGO and no trace propagation are in bench/EdgeBench/EdgeBench.csproj.
edge_pid=""
edge_inputs=()
start_edge() { # name port [EdgeBench arguments...] -> sets edge_pid
  local name=$1 port=$2 fifo="$work/$1.in"
  shift 2
  mkfifo "$fifo"
  "$work/edge/EdgeBench" --origin "http://127.0.0.1:$origin_port/" --port "$port" "$@" < "$fifo" > "$work/$name.out" 2>&1 &
  edge_pid=$!
  pids+=($edge_pid)
  exec {edge_in}>"$fifo"   # holds stdin open; the script's cleanup stops the edge with SIGTERM
  edge_inputs+=("$edge_in")
  wait_until 120 grep -q '^ready' "$work/$name.out" || { cat "$work/$name.out" >&2; die "edge $name did not start"; }
}
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

declare -A PORT PIDS SCHEME BASE
PORT[direct]=$origin_port PIDS[direct]=$origin_workers
PORT[nginx]=$nginx_port PIDS[nginx]=$(pgrep -P "$(cat "$work/nginx/nginx.pid")" | tr '\n' ' ')
PORT[haproxy]=$haproxy_port PIDS[haproxy]=$haproxy_pid
PORT[caddy]=$caddy_port PIDS[caddy]=$caddy_pid
edge_tls_port=$(free_port)
for variant in yarp origin lane; do
  port=$(free_port)
  if [ "$variant" = lane ]; then
    start_edge "edge-$variant" "$port" --variant "$variant" --https-port "$edge_tls_port" \
      --certificate "$work/tls/cert.pem" --key "$work/tls/key.pem"
  else
    start_edge "edge-$variant" "$port" --variant "$variant"
  fi
  PORT[edge-$variant]=$port PIDS[edge-$variant]=$edge_pid
done
PORT[nginx-https]=$nginx_tls_port PIDS[nginx-https]=${PIDS[nginx]} SCHEME[nginx-https]=https
PORT[edge-https]=$edge_tls_port PIDS[edge-https]=${PIDS[edge-lane]} SCHEME[edge-https]=https
targets=(direct nginx haproxy caddy edge-yarp edge-origin edge-lane nginx-https edge-https)
for target in "${targets[@]}"; do BASE[$target]=nginx; done
BASE[nginx-https]=nginx-https BASE[edge-https]=nginx-https
workloads=(file page)
declare -A PATH_OF CONNS_OF
PATH_OF[file]=/index.txt CONNS_OF[file]=$CONNECTIONS
PATH_OF[page]=/page.html CONNS_OF[page]=$PAGE_CONNECTIONS

# --- wrk ------------------------------------------------------------------------------------------
run_wrk() { # target path wrk-options... : wrk against the target, HTTPS through the private /etc/hosts
  local target=$1 path=$2
  shift 2
  local port=${PORT[$target]}
  if [ "${SCHEME[$target]:-http}" = https ]; then
    unshare --mount sh -c 'hosts=$1; shift; [ "$hosts" = - ] || mount --bind "$hosts" /etc/hosts; exec "$@"' sh \
      "$([ "$tls_host" = "$HOST" ] && echo "$work/hosts" || echo -)" \
      timeout 300 wrk "$@" -H "Host: $HOST" "https://$tls_host:$port$path"
  else
    timeout 300 wrk "$@" -H "Host: $HOST" "http://127.0.0.1:$port$path"
  fi
}
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }'; }
cpu_ticks() { local total=0 pid; for pid in "$@"; do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done; echo "$total"; }
per_request_us() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN { printf "%.1f", t * 1000000 / hz / n }'; }
declare -A RPS P99 CPU OCPU
measure() { # workload target round
  local workload=$1 target=$2 round=$3 out="$work/wrk-$1-$2-$3.txt" c0 c1 o0 o1 requests
  local path=${PATH_OF[$workload]} conns=${CONNS_OF[$workload]}
  run_wrk "$target" "$path" -t"$THREADS" -c"$conns" -d1s >/dev/null   # warm-up (JIT, pools)
  c0=$(cpu_ticks ${PIDS[$target]}) o0=$(cpu_ticks $origin_workers)
  run_wrk "$target" "$path" -t"$THREADS" -c"$conns" -d"$DURATION" --latency > "$out"
  c1=$(cpu_ticks ${PIDS[$target]}) o1=$(cpu_ticks $origin_workers)
  grep -Eq 'Non-2xx|Socket errors' "$out" && { cat "$out" >&2; die "$workload $target: errors or non-2xx answers"; }
  requests=$(awk '/requests in/ { print $1 }' "$out")
  local key="$workload,$target,$round"
  RPS[$key]=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$out")
  P99[$key]=$(awk '$1 == "99%" { print $2 }' "$out" | to_ms)
  CPU[$key]=$(per_request_us $((c1 - c0)) "$requests")
  OCPU[$key]=$(per_request_us $((o1 - o0)) "$requests")
  printf 'round %s  %-4s %-14s %7s req/s   p99 %7s ms   CPU %6s us/request   origin CPU %6s   load %s\n' \
    "$round" "$workload" "$target" "${RPS[$key]}" "${P99[$key]}" "${CPU[$key]}" "${OCPU[$key]}" "$(cut -d' ' -f1 /proc/loadavg)"
}

# The think time as the origin gives it: one connection, the page against the file (same origin).
log "origin think time (wrk -t1 -c1 -d2s direct)"
think_file=$(run_wrk direct /index.txt -t1 -c1 -d2s --latency | awk '$1 == "50%" { print $2 }' | to_ms)
think_page=$(run_wrk direct /page.html -t1 -c1 -d2s --latency | awk '$1 == "50%" { print $2 }' | to_ms)
think=$(awk -v a="$think_page" -v b="$think_file" 'BEGIN { printf "%.2f", a - b }')

log "wrk -t$THREADS -d$DURATION (-c$CONNECTIONS file, -c$PAGE_CONNECTIONS page), $ROUNDS rounds; origin: nginx (1 worker)"
# A server that has run a while has its code optimised (tiered JIT with PGO for the edge): warm every target first.
for workload in "${workloads[@]}"; do
  for target in "${targets[@]}"; do
    run_wrk "$target" "${PATH_OF[$workload]}" -t"$THREADS" -c"${CONNS_OF[$workload]}" -d"$WARMUP" >/dev/null
  done
done
# Odd rounds in the lists' order, even rounds both lists reversed.
reversed=(); for ((i = ${#targets[@]} - 1; i >= 0; i--)); do reversed+=("${targets[i]}"); done
for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then order=("${targets[@]}") loads=(file page); else order=("${reversed[@]}") loads=(page file); fi
  for workload in "${loads[@]}"; do
    for target in "${order[@]}"; do measure "$workload" "$target" "$round"; done
  done
done
rss_lane=$(rss_mb "${PIDS[edge-lane]}")

log "edge memory: $ROUTES_MANY routes and 1000 certificates (in process, after full GCs)"
start_edge memory "$(free_port)" --routes "$ROUTES_MANY" --certificates 1000
memory=$(grep '^ready' "$work/memory.out")
log "YARP's own host routes, for comparison (not used by the edge)"
yarp_routes=$("$work/edge/EdgeBench" --origin "http://127.0.0.1:$origin_port/" --routes "$ROUTES_MANY" --yarp-routes)

# --- summary --------------------------------------------------------------------------------------
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m }'; }
series() { # array-name workload target -> the rounds' values
  local -n values=$1
  local r out=()
  for ((r = 1; r <= ROUNDS; r++)); do out+=("${values[$2,$3,$r]}"); done
  echo "${out[*]}"
}
ratios() { # array-name workload a b -> a/b per round
  local -n values=$1
  local r out=()
  for ((r = 1; r <= ROUNDS; r++)); do
    out+=("$(awk -v a="${values[$2,$3,$r]}" -v b="${values[$2,$4,$r]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')")
  done
  echo "${out[*]}"
}
best() { printf '%s\n' "$@" | sort -g | tail -1; }

echo
echo "origin think time (page p50 - file p50, one connection): $think ms (page $think_page ms, file $think_file ms); page $page_bytes bytes"
for workload in "${workloads[@]}"; do
  echo
  if [ "$workload" = file ]; then what="23-byte file, wrk -t$THREADS -c$CONNECTIONS"; else what="$page_bytes-byte page after ${think} ms think time, wrk -t$THREADS -c$PAGE_CONNECTIONS"; fi
  echo "== $what -d$DURATION, $ROUNDS rounds; medians over rounds; vs = median of per-round req/s ratios to nginx (https: to nginx-https) =="
  printf '%-14s %9s %9s %8s %8s %9s %6s  %s\n' target req/s best_req/s p99_ms CPU_us origin_us vs "vs per round"
  for target in "${targets[@]}"; do
    # shellcheck disable=SC2046
    printf '%-14s %9.0f %9s %8s %8s %9s %6s  %s\n' "$target" \
      "$(median $(series RPS "$workload" "$target"))" "$(best $(series RPS "$workload" "$target"))" \
      "$(median $(series P99 "$workload" "$target"))" "$(median $(series CPU "$workload" "$target"))" \
      "$(median $(series OCPU "$workload" "$target"))" \
      "$(median $(ratios RPS "$workload" "$target" "${BASE[$target]}"))" "$(ratios RPS "$workload" "$target" "${BASE[$target]}")"
  done
done
echo
echo "== what each hand-written part saves: CPU per request, median of per-round ratios (a part stays if it saves >= 10% on the page) =="
for workload in "${workloads[@]}"; do
  for pair in "edge-origin edge-yarp own origin client" "edge-lane edge-origin plain lane" \
    "edge-lane edge-yarp both"; do
    read -r a b label <<< "$pair"
    # shellcheck disable=SC2046
    m=$(median $(ratios CPU "$workload" "$a" "$b"))
    printf '%-4s %-18s %-15s / %-15s %s (saves %s%%; rounds: %s)\n' "$workload" "$label" "$a" "$b" "$m" \
      "$(awk -v m="$m" 'BEGIN { printf "%.0f", (1 - m) * 100 }')" "$(ratios CPU "$workload" "$a" "$b")"
  done
done
echo
echo "edge (production) RSS after load: ${rss_lane} MB"
echo "edge memory ($memory)"
echo "YARP routes instead of the edge's table: $yarp_routes"
echo "HTTPS: TLS 1.3 over keep-alive connections, SNI $tls_host; nginx proxy workers: ${NGINX_WORKERS}; HAProxy threads: $haproxy_threads"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other work on the machine makes the figures noisy)"
