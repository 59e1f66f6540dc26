#!/bin/sh
# PID 1 of a virtual server. Starts sshd and the server's own Docker engine:
#  - unix:///var/run/docker.sock for the tenant inside,
#  - tcp://0.0.0.0:2376 with --tlsverify for the platform, with the certificates mounted
#    read-only at /etc/berth/engine-tls (ca.pem, cert.pem, key.pem),
#  - sshd on port 22, which Berth's SSH entry relays to (its keys in the same folder).
# The platform's engine settings (a registry mirror) come in the same read-only folder as
# daemon.json; when it is there, the engine reads it instead of /etc/docker/daemon.json.
set -eu

tls=/etc/berth/engine-tls
for file in ca.pem cert.pem key.pem; do
  if [ ! -r "$tls/$file" ]; then
    echo "entrypoint: $tls/$file is missing: the engine's TLS material must be mounted" >&2
    exit 64
  fi
done

# The engine gives the container read-only cgroup mounts. Make this container's own hierarchies
# writable so that inner containers nest under it (and stay within its limits); a plain
# `remount,rw` is refused, a bind remount is not.
while read -r _ mountpoint type _; do
  case "$type" in
    cgroup|cgroup2) mount -o remount,bind,rw "$mountpoint" ;;
  esac
done </proc/self/mounts

# overlay2 needs /var/lib/docker on a real filesystem (a bind mount); fall back to vfs on overlay.
storage=""
if [ "$(stat -f -c %T /var/lib/docker 2>/dev/null || echo unknown)" = "overlayfs" ]; then
  storage="--storage-driver=vfs"
fi

config=""
if [ -r "$tls/daemon.json" ]; then
  config="--config-file=$tls/daemon.json"
fi

# A restarted container keeps its /run, but none of its processes: after a kill, the old pid
# files and sockets are stale. dockerd refuses to start when its pid file names a live process,
# and in a fresh pid namespace that is often dockerd itself ("pid file found"); a stale
# containerd socket would be taken for a running containerd. Nothing has started yet, so
# everything the engines and sshd left is removed.
rm -rf /run/docker /run/containerd
rm -f /run/docker.pid /run/docker.sock /run/sshd.pid
find /run -xdev -maxdepth 3 -name '*.pid' -type f -delete

mkdir -p /var/run /run/sshd
# shellcheck disable=SC2086 # $storage and $config are empty or one word on purpose.
dockerd \
  --host unix:///var/run/docker.sock \
  --host tcp://0.0.0.0:2376 \
  --tlsverify \
  --tlscacert "$tls/ca.pem" \
  --tlscert "$tls/cert.pem" \
  --tlskey "$tls/key.pem" \
  $storage $config &
engine=$!

# Host keys are made per server at its first start (the image ships none): Ed25519 and ECDSA
# only. `ssh-keygen -A` would also make a 3072-bit RSA key, whose generation competes with the
# starting engine for the server's CPU quota and delayed it by up to a second; every current
# client speaks Ed25519 or ECDSA.
(
  for type in ed25519 ecdsa; do
    [ -f "/etc/ssh/ssh_host_${type}_key" ] || ssh-keygen -q -t "$type" -N "" -f "/etc/ssh/ssh_host_${type}_key"
  done
  # Berth's SSH entry relays users to this sshd: it pins the host key Berth made for this server
  # and logs in as root with the entry key listed beside it (both in the read-only folder).
  if [ -r "$tls/ssh_host_ecdsa_key" ] && [ -r "$tls/ssh_authorized_keys" ]; then
    exec /usr/sbin/sshd -D -e -h /etc/ssh/ssh_host_ed25519_key -h "$tls/ssh_host_ecdsa_key" \
      -o "AuthorizedKeysFile=.ssh/authorized_keys .ssh/authorized_keys2 $tls/ssh_authorized_keys"
  fi
  exec /usr/sbin/sshd -D -e -h /etc/ssh/ssh_host_ed25519_key -h /etc/ssh/ssh_host_ecdsa_key
) &
ssh=$!

stop() {
  kill -TERM "$engine" "$ssh" 2>/dev/null || true
  wait "$engine" 2>/dev/null || true
  exit 0
}
trap stop TERM INT

# The server lives as long as its engine.
set +e
wait "$engine"
status=$?
kill -TERM "$ssh" 2>/dev/null
exit "$status"
