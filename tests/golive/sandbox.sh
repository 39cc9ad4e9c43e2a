#!/bin/bash
# sandbox.sh ROOT COMMAND...: run COMMAND as root in a private mount and network namespace where /etc, /opt, /var,
# /usr/local, /home, /srv and /root are copy-on-write (overlayfs, changes kept under ROOT), /run is an empty tmpfs
# (as after a boot: PostgreSQL's socket, HAProxy's PID file) and the network is its own loopback: a fresh "machine"
# for an install, while this one is not changed. What an earlier install or test run left of the project on this
# machine is removed inside the sandbox only (whiteouts in the overlays), so the guide meets none of it.
# Needs root (CAP_SYS_ADMIN).
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
  for d in etc opt var usr/local; do [ "$(findmnt -n -o FSTYPE "/$d")" = overlay ]; done
  rm -rf /etc/vn-hospital-kiosk /etc/systemd/system/kiosk* /etc/systemd/system/*.wants/kiosk* \
    /etc/udev/rules.d/70-kiosk-devices.rules /etc/haproxy/certs /etc/haproxy/kiosk-hub.cfg.example \
    /opt/vn-hospital-kiosk /opt/vn-hospital-kiosk-hub /var/lib/kiosk-hub /var/lib/vn-hospital-kiosk \
    /usr/local/bin/kiosk /usr/local/bin/kiosk-hub /usr/local/share/ca-certificates/hospital-ca.crt
  mount -t tmpfs -o mode=0755 tmpfs /run
  mkdir -m 1777 /run/lock
  ip link set lo up
  exec "$@"' "$R" "$@"
