#!/usr/bin/env bash
# Install the kiosk and/or the hub as systemd services on Debian 12 or Raspberry Pi OS (bookworm).
#   sudo systemd/install.sh kiosk     the touch kiosk (user `kiosk`, udev rules, kiosk.service)
#   sudo systemd/install.sh hub       the hub (user `kiosk-hub`, kiosk-hub-migrate.service and kiosk-hub.service;
#                                     kiosk-hub@.service and kiosk-hub.target for several processes behind HAProxy)
#   sudo systemd/install.sh all
# DESTDIR=/some/dir installs the files under that root without creating users or touching systemd (for
# packaging and for the tests). Idempotent: existing environment files are kept.
set -euo pipefail

role="${1:-all}"
case "$role" in kiosk|hub|all) ;; *) echo "usage: $0 kiosk|hub|all" >&2; exit 2 ;; esac
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${DESTDIR:-}"
prefix="/opt/vn-hospital-kiosk"
live=$([[ -z "$dest" ]] && echo 1 || echo 0)

if [[ $live == 1 && "$(id -u)" != 0 ]]; then
  echo "install.sh: run as root (sudo)" >&2
  exit 1
fi

install -d -m 0755 "$dest/etc/systemd/system" "$dest/etc/udev/rules.d" "$dest$prefix"
# 0751: the services may reach their own entries (the hub its key directory) but nobody may list what is there.
install -d -m 0751 "$dest/etc/vn-hospital-kiosk"

copy_env() {  # keep what IT already filled in
  local target="$dest/etc/vn-hospital-kiosk/$1"
  [[ -e "$target" ]] || install -m 0600 "$repo/systemd/$1.example" "$target"
}

add_user() {  # a system user with no shell and no home of its own, in only the groups given
  local name="$1" groups="$2"
  [[ $live == 1 ]] || return 0
  id -u "$name" >/dev/null 2>&1 || adduser --system --group --no-create-home --home /nonexistent "$name"
  if [[ -n "$groups" ]]; then
    for group in ${groups//,/ }; do getent group "$group" >/dev/null || addgroup --system "$group"; done
    usermod --groups "$groups" "$name"
  fi
}

if [[ $live == 1 ]]; then
  # The code and its virtualenv under /opt (re-run after an update).
  rsync -a --delete --exclude .venv --exclude .git "$repo/" "$prefix/"
  [[ -x "$prefix/.venv/bin/python" ]] || python3 -m venv "$prefix/.venv"
  extras=$([[ $role == hub ]] && echo hub || echo all)
  "$prefix/.venv/bin/pip" install -q --disable-pip-version-check "$prefix[$extras]"
fi

if [[ $role == kiosk || $role == all ]]; then
  add_user kiosk "video,render,input,lp,dialout"
  install -m 0644 "$repo/systemd/kiosk.service" "$dest/etc/systemd/system/kiosk.service"
  install -m 0644 "$repo/systemd/70-kiosk-devices.rules" "$dest/etc/udev/rules.d/70-kiosk-devices.rules"
  copy_env kiosk.env
fi
if [[ $role == hub || $role == all ]]; then
  add_user kiosk-hub ""
  for unit in kiosk-hub.service kiosk-hub-migrate.service kiosk-hub@.service kiosk-hub.target; do
    install -m 0644 "$repo/systemd/$unit" "$dest/etc/systemd/system/$unit"
  done
  install -d -m 0755 "$dest/etc/haproxy"
  install -m 0644 "$repo/deploy/haproxy/kiosk-hub.cfg" "$dest/etc/haproxy/kiosk-hub.cfg.example"
  copy_env kiosk-hub.env
  # Where the hub makes its key file on the first start (kept on a re-install: it seals the signing key).
  install -d -m 0700 "$dest/etc/vn-hospital-kiosk/hub-keys"
  [[ $live == 1 ]] && chown kiosk-hub:kiosk-hub "/etc/vn-hospital-kiosk/hub-keys"
fi

if [[ $live == 1 ]]; then
  chgrp kiosk "/etc/vn-hospital-kiosk/kiosk.env" 2>/dev/null || true
  udevadm control --reload && udevadm trigger --subsystem-match=usb --subsystem-match=video4linux --subsystem-match=tty
  systemctl daemon-reload
  [[ $role == kiosk || $role == all ]] && systemctl enable kiosk.service
  [[ $role == hub || $role == all ]] && systemctl enable kiosk-hub.service
  echo "install.sh: edit /etc/vn-hospital-kiosk/*.env, then: systemctl start kiosk-hub kiosk"
fi
