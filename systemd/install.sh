#!/usr/bin/env bash
# Install (or update) the kiosk or the hub from a release bundle (scripts/build-release), on Debian 12 or
# Raspberry Pi OS (bookworm). Run from the unpacked bundle, as root:
#   sudo ./install kiosk [--session weston|kmsdrm]      the touch kiosk: weston's kiosk-shell (default) or bare KMS/DRM
#   sudo ./install hub [--processes N] [--postgresql]   the hub: one process (kiosk-hub.service), or N processes
#                        behind HAProxy (kiosk-hub@8081…, kiosk-hub.target; adds Debian's haproxy); --postgresql adds
#                        a PostgreSQL server on this machine (Debian's postgresql) for the hub's database
# What it does, each step only when needed (safe to run again; a second run changes nothing):
#   the role's Debian packages (deploy/<role>/packages*.txt) that are missing; the system user; the release in
#   /opt/vn-hospital-kiosk[-hub]/releases/VERSION (a virtualenv made from the bundle's wheels, offline) and the
#   `current` symlink switched to it atomically; settings in /etc/vn-hospital-kiosk (never overwritten); the
#   state directory; systemd units, udev rules, the kiosk session's lock-down files, the hub's HAProxy example and
#   key directory; the units enabled (not started).
# DESTDIR=/some/root puts only the files under that root (no packages, users, virtualenv or systemd): packaging and
# the tests.
set -euo pipefail

usage="usage: $0 kiosk [--session weston|kmsdrm] | hub [--processes N] [--postgresql]"
role="${1:-}"; shift || true
session="weston"; processes=1; postgresql=0
while (($#)); do
  case "$role:$1" in
    kiosk:--session) session="${2:-}"; shift 2 ;;
    hub:--processes) processes="${2:-}"; shift 2 ;;
    hub:--postgresql) postgresql=1; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
case "$role" in kiosk|hub) ;; *) echo "$usage" >&2; exit 2 ;; esac
case "$session" in weston|kmsdrm) ;; *) echo "install: --session is weston or kmsdrm" >&2; exit 2 ;; esac
[[ "$processes" =~ ^[1-9]$ ]] || { echo "install: --processes is 1 to 9" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ -d "$here/systemd" ]] || here="$(cd "$here/.." && pwd)"  # run as systemd/install.sh from a checkout
dest="${DESTDIR:-}"
live=$([[ -z "$dest" ]] && echo 1 || echo 0)
version="$(cat "$here/VERSION" 2>/dev/null || echo dev)"
if [[ $role == kiosk ]]; then
  prefix="/opt/vn-hospital-kiosk"; user="kiosk"; extras="kiosk"; groups="video,render,input,lp,dialout"
else
  prefix="/opt/vn-hospital-kiosk-hub"; user="kiosk-hub"; extras="hub"; groups=""
fi
say() { echo "install: $*"; }

if [[ $live == 1 && "$(id -u)" != 0 ]]; then
  echo "install: run as root (sudo ./install $role)" >&2
  exit 1
fi

package_lists() {  # the role's lists of Debian packages, with the options' own
  echo "$here/deploy/$role/packages.txt"
  [[ $role == kiosk && $session == weston ]] && echo "$here/deploy/kiosk/packages-weston.txt"
  [[ $role == hub && $processes -gt 1 ]] && echo "$here/deploy/hub/packages-haproxy.txt"
  [[ $role == hub && $postgresql == 1 ]] && echo "$here/deploy/hub/packages-postgresql.txt"
  return 0
}

packages() {  # the role's Debian packages that are not installed yet, installed
  local lists=() wanted=() missing=()
  mapfile -t lists < <(package_lists)
  mapfile -t wanted < <(sed -e 's/#.*//' "${lists[@]}" | tr -s ' \t' '\n' | sed '/^$/d')
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    say "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

system_user() {  # a system user with no shell and no home of its own, in only the groups given
  id -u "$user" >/dev/null 2>&1 || adduser --system --group --no-create-home --home /nonexistent "$user" >/dev/null
  if [[ -n "$groups" ]]; then
    for group in ${groups//,/ }; do getent group "$group" >/dev/null || addgroup --system "$group" >/dev/null; done
    usermod --groups "$groups" "$user"
  fi
}

release() {  # the bundle's wheels as a virtualenv of its own; `current` switched to it in one rename
  local target="$prefix/releases/$version" stamp
  stamp="$(cd "$here/wheels" && ls | sort | sha256sum | cut -c1-16)"
  if [[ "$(cat "$target/.wheels" 2>/dev/null)" != "$stamp" ]]; then
    say "release $version into $target"
    rm -rf "$target.new"
    mkdir -p "$prefix/releases"
    /usr/bin/python3 -m venv "$target.new"
    "$target.new/bin/pip" install -q --disable-pip-version-check --no-index --find-links "$here/wheels" \
      "vn-hospital-kiosk[$extras]"
    mkdir -p "$target.new/share"
    cp "$here/go-live.md" "$target.new/share/" 2>/dev/null || true
    echo "$stamp" > "$target.new/.wheels"
    # A virtualenv names its own path in its scripts: built under .new, it is renamed into place with its final
    # name written in (text files only; bin/python is a symlink to Debian's python3).
    find "$target.new/bin" -maxdepth 1 -type f -exec grep -lI "$target.new" {} + |
      xargs -r sed -i "s#$target.new#$target#g"
    sed -i "s#$target.new#$target#g" "$target.new/pyvenv.cfg"
    rm -rf "$target"
    mv "$target.new" "$target"
  fi
  if [[ "$(readlink "$prefix/current" 2>/dev/null)" != "releases/$version" ]]; then
    ln -sfn "releases/$version" "$prefix/current.new"
    mv -T "$prefix/current.new" "$prefix/current"
    say "$prefix/current -> releases/$version"
  fi
  [[ $role == kiosk ]] && ln -sfn "$prefix/current/bin/kiosk" /usr/local/bin/kiosk
  return 0
}

settings_file() {  # IT's settings file, from its example the first time only: never overwritten
  local target="$dest/etc/vn-hospital-kiosk/$2"
  [[ -e "$target" ]] && return 0
  install -m "$3" "$1" "$target"
  say "/etc/vn-hospital-kiosk/$2 written from the example: $4"
}

files() {  # units, rules, session files and settings
  install -d -m 0755 "$dest/etc/systemd/system" "$dest/etc/udev/rules.d"
  # 0751: each service reaches its own entries (the hub its key directory), nobody may list what is there.
  install -d -m 0751 "$dest/etc/vn-hospital-kiosk"
  if [[ $role == kiosk ]]; then
    install -m 0644 "$here/systemd/kiosk.service" "$here/systemd/kiosk-weston.service" \
      "$here/systemd/kiosk-updates.service" "$here/systemd/kiosk-release.path" "$here/systemd/kiosk-release.service" \
      "$dest/etc/systemd/system/"
    # The update guard runs outside every release (docs/updates.md): a release that cannot start cannot stop it.
    install -d -m 0755 "$dest$prefix"
    local guard="$here/update-guard.py"
    [[ -f $guard ]] || guard="$here/kiosk/updates/guard.py"  # run from a checkout
    install -m 0644 "$guard" "$dest$prefix/update-guard.py"
    install -m 0644 "$here/systemd/70-kiosk-devices.rules" "$dest/etc/udev/rules.d/70-kiosk-devices.rules"
    install -m 0644 "$here/deploy/kiosk/weston.ini" "$dest/etc/vn-hospital-kiosk/weston.ini"
    install -d -m 0755 "$dest/etc/systemd/logind.conf.d" "$dest/etc/sysctl.d"
    install -m 0644 "$here/deploy/kiosk/logind.conf" "$dest/etc/systemd/logind.conf.d/vn-hospital-kiosk.conf"
    install -m 0644 "$here/deploy/kiosk/sysctl.conf" "$dest/etc/sysctl.d/60-vn-hospital-kiosk.conf"
    settings_file "$here/config/kiosk.example.toml" kiosk.toml 0640 "set the hub, the name and the devices"
  else
    for unit in kiosk-hub.service kiosk-hub-migrate.service kiosk-hub@.service kiosk-hub.target; do
      install -m 0644 "$here/systemd/$unit" "$dest/etc/systemd/system/$unit"
    done
    install -d -m 0755 "$dest/etc/haproxy" "$dest/usr/local/bin"
    install -m 0644 "$here/deploy/haproxy/kiosk-hub.cfg" "$dest/etc/haproxy/kiosk-hub.cfg.example"
    # `sudo kiosk-hub …` for IT: the command with the hub units' user and settings.
    install -m 0755 "$here/deploy/hub/kiosk-hub" "$dest/usr/local/bin/kiosk-hub"
    settings_file "$here/systemd/kiosk-hub.env.example" kiosk-hub.env 0600 "set the database, URL and BHXH account"
    # Where the hub makes its key file on the first start (kept on a re-install: it seals the signing key).
    install -d -m 0700 "$dest/etc/vn-hospital-kiosk/hub-keys"
  fi
}

state() {  # where the kiosk keeps its enrolment and journal (`kiosk enrol` writes there before the first start)
  local dir=/var/lib/vn-hospital-kiosk
  [[ $role == hub ]] && dir=/var/lib/kiosk-hub
  install -d -m 0700 -o "$user" -g "$user" "$dir"
  if [[ $role == kiosk ]]; then
    chgrp "$user" /etc/vn-hospital-kiosk/kiosk.toml
    # The update agent (its unit only may write there) installs releases and switches `current`.
    chown "$user:$user" "$prefix" "$prefix/releases"
  else
    chown "$user:$user" /etc/vn-hospital-kiosk/hub-keys
  fi
}

services() {
  if [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
    udevadm control --reload 2>/dev/null && udevadm trigger --subsystem-match=usb --subsystem-match=input \
      --subsystem-match=video4linux --subsystem-match=tty 2>/dev/null || true
    sysctl -q --load /etc/sysctl.d/60-vn-hospital-kiosk.conf 2>/dev/null || true
  fi
  if [[ $role == kiosk ]]; then
    local unit=kiosk-weston.service other=kiosk.service
    [[ $session == kmsdrm ]] && unit=kiosk.service other=kiosk-weston.service
    systemctl disable --quiet "$other" getty@tty1.service 2>/dev/null || true
    systemctl enable --quiet "$unit" kiosk-updates.service kiosk-release.path
    say "$unit, kiosk-updates.service and kiosk-release.path enabled: they start at the next boot (or now:" \
      "systemctl start $unit kiosk-updates.service kiosk-release.path)"
  elif ((processes == 1)); then
    systemctl disable --quiet kiosk-hub.target 2>/dev/null || true
    systemctl enable --quiet kiosk-hub.service
    say "kiosk-hub.service enabled (start it once kiosk-hub.env is filled in)"
  else
    local instances=() port
    for ((port = 8081; port < 8081 + processes; port++)); do instances+=("kiosk-hub@$port.service"); done
    systemctl disable --quiet kiosk-hub.service 2>/dev/null || true
    systemctl enable --quiet kiosk-hub.target "${instances[@]}" haproxy.service
    say "kiosk-hub.target (${instances[*]}) and haproxy.service enabled: /etc/haproxy/kiosk-hub.cfg.example is" \
      "HAProxy's configuration for them (docs/several-hubs.md)"
  fi
}

if [[ $live == 1 ]]; then
  packages
  system_user
  release
fi
files
if [[ $live == 1 ]]; then
  state
  services
fi
