#!/bin/bash
# sandbox.sh ROOT COMMAND...: run COMMAND as root in a private mount and network namespace where /etc, /opt, /var,
# /usr/local, /home, /srv and /root are copy-on-write (overlayfs, changes kept under ROOT), /run is an empty tmpfs
# (as after a boot: PostgreSQL's socket, HAProxy's PID file) and the network is its own loopback: a fresh "machine"
# for an install, while this one is not changed. Needs root (CAP_SYS_ADMIN).
set -euo pipefail
R="$1"; shift
exec unshare --mount --net --fork -- bash -c '
  set -e
  R="$0"
  mount --make-rprivate /
  for d in etc opt var usr/local home srv root; do
    n=${d//\//_}; mkdir -p "$R/$n.up" "$R/$n.work"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$R/$n.up,workdir=$R/$n.work" "/$d"
  done
  mount -t tmpfs -o mode=0755 tmpfs /run
  mkdir -m 1777 /run/lock
  ip link set lo up
  exec "$@"' "$R" "$@"
