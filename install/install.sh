#!/usr/bin/env bash
# Install Hearth on Debian 12 / Raspberry Pi OS (bookworm), arm64 or armhf, as root:
#
#   sudo install/install.sh [--tls|--no-tls] [--lan|--no-lan]
#   sudo install/install.sh --uninstall     keeps /var/lib/hearth and /etc/hearth
#   sudo install/install.sh --purge         removes those too
#
# It sets up, from the checkout it sits in:
#   system packages         mosquitto, mosquitto-clients, python3-venv, espeak-ng, alsa-utils,
#                           sqlite3, openssl, pango and a font (the weekly summary's PDF)
#   user and group hearth   a system account, no login, no home; also in dialout and audio
#   /opt/hearth/venv        Hearth installed (not editable); reinstalled only when the source changed
#   /etc/hearth/            home.yaml (made once from config/example-home.yaml, never overwritten),
#                           mqtt.pass, bridge.pass, devices.pass, ack.key, tls/ (with --tls)
#   /var/lib/hearth/        the database (owned by hearth)
#   Mosquitto               /etc/mosquitto/conf.d/hearth.conf and /etc/mosquitto/hearth/
#                           (hashed passwords, ACL, TLS server certificate)
#   systemd units           hearth.service, hearth-bridge.service, enabled and started where
#                           systemd runs
#
# It can be run again at any time: it changes only what differs, and says so.
# --tls and --lan are remembered in /etc/hearth/install.options; --no-tls and
# --no-lan turn them off again.
set -Eeuo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly SOURCE
readonly PREFIX=/opt/hearth
readonly VENV=$PREFIX/venv
readonly STAMP=$VENV/hearth-source
readonly ETC=/etc/hearth
readonly STATE=/var/lib/hearth
readonly CONFIG=$ETC/home.yaml
readonly OPTIONS=$ETC/install.options
readonly TLS=$ETC/tls
readonly MOSQ_DROPIN=/etc/mosquitto/conf.d/hearth.conf
readonly MOSQ_DIR=/etc/mosquitto/hearth
readonly UNIT_DIR=/etc/systemd/system
readonly UNITS=(hearth.service hearth-bridge.service)
readonly PACKAGES=(mosquitto mosquitto-clients python3-venv espeak-ng alsa-utils sqlite3 openssl
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
# MQTT accounts: name, password file, owner:group of that file.
readonly HUB_USER=hearth BRIDGE_USER=hearth-bridge DEVICES_USER=devices
readonly SYSTEM_PYTHON=/usr/bin/python3

step=start
changes=0

say() { printf 'hearth-install: %-10s %s\n' "$step:" "$*"; }
fail() {
  printf 'hearth-install: %-10s FAILED: %s\n' "$step:" "$*" >&2
  exit 1
}
on_error() {
  local status=$? line=$1 command=$2
  printf 'hearth-install: %-10s FAILED: '%s' exited with %d (%s line %d)\n' \
    "$step:" "$command" "$status" "$0" "$line" >&2
  exit "$status"
}
trap 'on_error $LINENO "$BASH_COMMAND"' ERR

changed() {
  changes=$((changes + 1))
  say "$*"
}

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
}

have_systemd() { [ -d /run/systemd/system ]; }

# Restarts and reloads that a change makes due are written down when the
# change is made and crossed off when done: a run that changes a file and then
# stops (a config the check refuses, a unit that fails to start) leaves them to
# the next run, which finds every file in place and would otherwise restart
# nothing, leaving Mosquitto and the services on the old files. Under /run, a
# tmpfs: after a reboot everything starts afresh and nothing is owed.
readonly OWED=/run/hearth-install
owe() {
  have_systemd || return 0
  local what
  for what in "$@"; do
    mkdir -p "$OWED"
    : >"$OWED/$what"
  done
}
owed() { [ -e "$OWED/$1" ]; }
paid() { rm -f "$OWED/$1"; }
# The services' restarts: a new version, unit or certificate.
owe_restarts() { owe "${UNITS[@]/#/restart-}"; }

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

# put_file SRC DEST MODE OWNER:GROUP: install SRC as DEST unless DEST already
# has the same bytes, mode and owner. Returns 0 when it changed DEST.
put_file() {
  local src=$1 dest=$2 mode=$3 owner=$4
  if [ -f "$dest" ] && cmp -s "$src" "$dest" &&
    [ "$(stat -c '%a %U:%G' "$dest")" = "$mode $owner" ]; then
    return 1
  fi
  # Written beside the target and renamed: a reader never sees half a file.
  install -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$src" "$dest.hearth-new"
  mv -f "$dest.hearth-new" "$dest"
  return 0
}

# own PATH MODE OWNER:GROUP: set mode and owner if they differ. Returns 0 when it changed them.
own() {
  local path=$1 mode=$2 owner=$3
  if [ "$(stat -c '%a %U:%G' "$path")" = "$mode $owner" ]; then
    return 1
  fi
  chown "$owner" "$path"
  chmod "$mode" "$path"
  return 0
}

# directory PATH MODE OWNER:GROUP
directory() {
  local path=$1 mode=$2 owner=$3
  if [ ! -d "$path" ]; then
    install -d -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$path"
    changed "created $path"
  elif own "$path" "$mode" "$owner"; then
    changed "set $path to $owner, mode $mode"
  fi
}

# --- arguments ---------------------------------------------------------------------

action=install
tls_flag="" lan_flag=""
for arg in "$@"; do
  case "$arg" in
    --tls) tls_flag=yes ;;
    --no-tls) tls_flag=no ;;
    --lan) lan_flag=yes ;;
    --no-lan) lan_flag=no ;;
    --uninstall) action=uninstall ;;
    --purge) action=purge ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      fail "unknown option $arg"
      ;;
  esac
done

step=checks
[ "$(id -u)" -eq 0 ] || fail "run as root (sudo $0)"
command -v apt-get >/dev/null || fail "this installer is for Debian and Raspberry Pi OS (no apt-get here)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- uninstall -------------------------------------------------------------------------

uninstall() {
  step=services
  if have_systemd; then
    for unit in "${UNITS[@]}"; do
      if [ -f "$UNIT_DIR/$unit" ]; then
        systemctl disable --now --quiet "$unit" || say "could not stop $unit (see systemctl status $unit)"
        changed "stopped and disabled $unit"
      fi
    done
  fi
  step=units
  local removed_unit=no
  for unit in "${UNITS[@]}"; do
    if [ -f "$UNIT_DIR/$unit" ]; then
      rm -f "$UNIT_DIR/$unit"
      removed_unit=yes
      changed "removed $UNIT_DIR/$unit"
    fi
  done
  if [ "$removed_unit" = yes ] && have_systemd; then
    systemctl daemon-reload
  fi
  rm -rf "$OWED" # nothing left to restart
  step=venv
  if [ -d "$PREFIX" ]; then
    rm -rf "$PREFIX"
    changed "removed $PREFIX"
  fi
  step=mosquitto
  if [ -e "$MOSQ_DROPIN" ] || [ -d "$MOSQ_DIR" ]; then
    rm -rf "$MOSQ_DROPIN" "$MOSQ_DIR"
    changed "removed $MOSQ_DROPIN and $MOSQ_DIR (Hearth's accounts, ACL and listeners)"
    if have_systemd && systemctl is-active --quiet mosquitto; then
      systemctl restart mosquitto
      say "restarted Mosquitto with its own configuration"
    fi
  fi
  step=user
  if getent passwd hearth >/dev/null; then
    userdel hearth || fail "could not remove user hearth: stop its processes first (ps -u hearth)"
    changed "removed user hearth"
  fi
  if getent group hearth >/dev/null; then
    groupdel hearth
    changed "removed group hearth"
  fi
  step=data
  if [ "$action" = purge ]; then
    for path in "$STATE" "$ETC"; do
      if [ -e "$path" ]; then
        rm -rf "$path"
        changed "removed $path"
      fi
    done
  else
    local kept=()
    for path in "$STATE" "$ETC"; do
      [ -e "$path" ] && kept+=("$path")
    done
    if [ ${#kept[@]} -gt 0 ]; then
      say "kept ${kept[*]} (the database, config, passwords and TLS CA); remove them with: $0 --purge"
    fi
  fi
  step=finish
  if [ "$changes" -eq 0 ]; then
    say "nothing to remove: Hearth was not installed"
  else
    say "Hearth removed ($changes changes)"
  fi
}

if [ "$action" != install ]; then
  uninstall
  exit 0
fi

# --- options remembered from earlier runs -----------------------------------------------

remembered() {
  local key=$1
  if [ -f "$OPTIONS" ]; then
    sed -n "s/^$key=//p" "$OPTIONS" | tail -n 1
  fi
}
tls=${tls_flag:-$(remembered tls)}
tls=${tls:-no}
lan=${lan_flag:-$(remembered lan)}
lan=${lan:-no}

# --- system packages -----------------------------------------------------------------

step=packages
missing=()
for package in "${PACKAGES[@]}"; do
  if ! installed "$package"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  changed "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "all present (${PACKAGES[*]})"
fi
time_sync=no
for package in systemd-timesyncd chrony ntpsec ntp openntpd; do
  installed "$package" && time_sync=yes
done
if [ "$time_sync" = no ]; then
  say "WARNING: no NTP client (systemd-timesyncd, chrony): a Pi has no real-time clock; install one"
fi
[ -x "$SYSTEM_PYTHON" ] || fail "$SYSTEM_PYTHON is missing (Debian's python3 package)"

# --- service user ----------------------------------------------------------------------

step=user
before=$changes
if ! getent group hearth >/dev/null; then
  groupadd --system hearth
  changed "created group hearth"
fi
if ! getent passwd hearth >/dev/null; then
  useradd --system --gid hearth --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --comment "Hearth hub" hearth
  changed "created system user hearth (no login, no home)"
fi
# dialout: the bridge opens USB serial devices; audio: spoken prompts.
for group in dialout audio; do
  if [[ " $(id -nG hearth) " != *" $group "* ]]; then
    usermod -a -G "$group" hearth
    changed "added hearth to group $group"
  fi
done
[ "$changes" -eq "$before" ] && say "hearth exists, in groups dialout and audio"

# --- folders ---------------------------------------------------------------------------

step=folders
before=$changes
directory "$ETC" 750 root:hearth
directory "$STATE" 750 hearth:hearth
directory "$PREFIX" 755 root:root
# Data kept by --uninstall belongs to the hearth user of that time: give it to this one.
if [ -n "$(find "$STATE" -mindepth 1 \( ! -user hearth -o ! -group hearth \) -print -quit)" ]; then
  chown -R hearth:hearth "$STATE"
  changed "gave the files in $STATE (kept from an earlier install) to user hearth"
fi
[ "$changes" -eq "$before" ] && say "$ETC, $STATE and $PREFIX in place"

put_options() {
  printf '# Options of install/install.sh, used again by the next run.\ntls=%s\nlan=%s\n' \
    "$tls" "$lan" >"$work/options"
  if put_file "$work/options" "$OPTIONS" 644 root:root; then
    changed "remembered options in $OPTIONS (tls=$tls, lan=$lan)"
  fi
}
put_options

# --- the virtual environment ----------------------------------------------------------

step=venv
# The package is built from a copy, so the checkout gets no build/ or egg-info,
# and the hash below describes exactly what is installed.
mkdir "$work/src"
tar -C "$SOURCE" --exclude=__pycache__ --exclude='*.pyc' \
  -cf - pyproject.toml README.md hub firmware_bridge models | tar -C "$work/src" -xf -
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$SOURCE/pyproject.toml" | head -n 1)
source_hash=$(cd "$work/src" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum |
  sha256sum | cut -c1-16)
wanted="hearth $version source $source_hash"
if [ -x "$VENV/bin/python" ] && ! "$VENV/bin/python" -c '' 2>/dev/null; then
  # A Python upgrade by the system leaves a venv that no longer starts.
  rm -rf "$VENV"
  changed "removed $VENV: its Python no longer runs"
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$SYSTEM_PYTHON" -m venv "$VENV"
  changed "created $VENV"
fi
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ]; then
  say "Hearth $version (source $source_hash) already installed in $VENV"
else
  changed "installing Hearth $version (source $source_hash) into $VENV (pip, a few minutes)"
  # Not editable: the service must not change when the checkout does. A local
  # folder is always reinstalled by pip; dependencies come from pip's cache.
  "$VENV/bin/python" -m pip install -qq --disable-pip-version-check \
    --no-warn-script-location "$work/src" ||
    fail "pip could not install Hearth from $SOURCE (its output is above)"
  printf '%s\n' "$wanted" >"$STAMP"
  owe_restarts
fi

# --- passwords -----------------------------------------------------------------------

step=passwords
# secret FILE MODE OWNER:GROUP WHAT: a random secret, made only when FILE is missing.
secret() {
  local file=$1 mode=$2 owner=$3 what=$4
  if [ ! -s "$file" ]; then
    (umask 077 && openssl rand -hex 24 >"$file.hearth-new")
    chown "$owner" "$file.hearth-new"
    chmod "$mode" "$file.hearth-new"
    mv -f "$file.hearth-new" "$file"
    changed "made $what in $file ($owner, mode $mode)"
  elif own "$file" "$mode" "$owner"; then
    changed "set $file to $owner, mode $mode"
  fi
}
before=$changes
# The hub and bridge read theirs as group hearth (hub/config/secrets.py allows
# group read, refuses world read); the devices' password is for the person
# setting up Zigbee2MQTT, Tasmota ..., so root only.
secret "$ETC/mqtt.pass" 640 root:hearth "the hub's MQTT password"
secret "$ETC/bridge.pass" 640 root:hearth "the bridge's MQTT password"
secret "$ETC/devices.pass" 600 root:root "the devices' MQTT password"
secret "$ETC/ack.key" 640 root:hearth "the key that signs acknowledgement links"
for file in "$ETC/mqtt.pass" "$ETC/bridge.pass" "$ETC/devices.pass"; do
  # mosquitto_passwd -U (below) would cut a password at ':' and read one line only.
  if grep -q ':' "$file" || [ "$(wc -l <"$file")" -gt 1 ]; then
    fail "$file: a password with ':' or on several lines cannot be hashed for Mosquitto; choose another"
  fi
done
[ "$changes" -eq "$before" ] && say "MQTT passwords and link key in $ETC unchanged"

# --- TLS (optional) --------------------------------------------------------------------

step=tls
if [ "$tls" = yes ]; then
  host=$(hostname)
  names="DNS:$host,DNS:$host.local,DNS:localhost,IP:127.0.0.1"
  for address in $(hostname -I 2>/dev/null | tr ' ' '\n' | LC_ALL=C sort); do
    names="$names,IP:$address"
  done
  cat >"$work/openssl.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $names
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  before=$changes
  directory "$TLS" 750 root:hearth
  if [ ! -s "$TLS/ca.key" ] || [ ! -s "$TLS/ca.crt" ]; then
    # The CA key signs this home's certificates; it never leaves root.
    (umask 077 && openssl req -x509 -new -config "$work/openssl.cnf" -extensions ca \
      -newkey rsa:2048 -nodes -keyout "$TLS/ca.key" -out "$TLS/ca.crt" -days 7300 \
      -subj "/CN=Hearth home CA ($host)" 2>"$work/openssl.log") ||
      fail "openssl could not make the CA: $(tail -n 1 "$work/openssl.log")"
    chmod 644 "$TLS/ca.crt" # devices are given it; it holds nothing secret
    rm -f "$TLS/server.crt"
    changed "made this home's certificate authority in $TLS/ca.crt (key root only)"
  fi
  own "$TLS/ca.key" 600 root:root && changed "set $TLS/ca.key to root:root, mode 600"
  own "$TLS/ca.crt" 644 root:root && changed "set $TLS/ca.crt to root:root, mode 644"
  # A new server certificate when there is none, the names changed (a new
  # address), it is not this CA's, or it ends within 30 days.
  if [ ! -s "$TLS/server.crt" ] || [ "$(cat "$TLS/server.names" 2>/dev/null)" != "$names" ] ||
    ! openssl verify -CAfile "$TLS/ca.crt" "$TLS/server.crt" >/dev/null 2>&1 ||
    ! openssl x509 -in "$TLS/server.crt" -noout -checkend 2592000 >/dev/null; then
    (umask 027 && openssl req -new -config "$work/openssl.cnf" -newkey rsa:2048 -nodes \
      -keyout "$work/server.key" -out "$work/server.csr" -subj "/CN=$host" 2>"$work/openssl.log" &&
      openssl x509 -req -in "$work/server.csr" -CA "$TLS/ca.crt" -CAkey "$TLS/ca.key" \
        -set_serial "0x$(openssl rand -hex 16)" -days 3650 -extfile "$work/openssl.cnf" \
        -extensions server -out "$work/server.crt" 2>>"$work/openssl.log") ||
      fail "openssl could not make the server certificate: $(tail -n 1 "$work/openssl.log")"
    install -m 640 -o root -g hearth "$work/server.key" "$TLS/server.key"
    install -m 644 -o root -g root "$work/server.crt" "$TLS/server.crt"
    printf '%s\n' "$names" >"$TLS/server.names"
    changed "made the server certificate for $names"
  fi
  own "$TLS/server.key" 640 root:hearth && changed "set $TLS/server.key to root:hearth, mode 640"
  [ "$changes" -eq "$before" ] && say "certificates in $TLS unchanged"
  [ "$changes" -ne "$before" ] && owe_restarts
else
  say "no TLS listener (install.sh --tls adds one on port 8883)"
fi

# --- Mosquitto -----------------------------------------------------------------------

step=mosquitto
before=$changes
if [ ! -d "$MOSQ_DIR" ]; then
  install -d -m 750 -o root -g mosquitto "$MOSQ_DIR"
  changed "created $MOSQ_DIR"
fi

# The hashed password file, written again only when it no longer matches the
# password files (mosquitto_passwd salts, so rewriting would always differ).
accounts=("$HUB_USER=$ETC/mqtt.pass" "$BRIDGE_USER=$ETC/bridge.pass" "$DEVICES_USER=$ETC/devices.pass")
if "$SYSTEM_PYTHON" -I -B "$SOURCE/install/mqtt_passwords.py" "$MOSQ_DIR/passwd" "${accounts[@]}"; then
  own "$MOSQ_DIR/passwd" 600 mosquitto:mosquitto && changed "set $MOSQ_DIR/passwd to mosquitto, mode 600"
else
  (
    umask 077
    for account in "${accounts[@]}"; do
      printf '%s:%s\n' "${account%%=*}" "$(cat "${account#*=}")"
    done >"$work/passwd"
  )
  # -U hashes the plain file in place: no password on a command line.
  mosquitto_passwd -U "$work/passwd"
  install -m 600 -o mosquitto -g mosquitto "$work/passwd" "$MOSQ_DIR/passwd"
  changed "wrote the hashed passwords of $HUB_USER, $BRIDGE_USER and $DEVICES_USER to $MOSQ_DIR/passwd"
  owe reload-mosquitto
fi

# The ACL (docs/security.md): each account only the topics it needs.
cat >"$work/acl" <<EOF
# Written by Hearth's installer (install/install.sh); run it again rather than editing.
# Extra lines for this home (another account, a device's own prefix) go in
# $ETC/mosquitto-acl.local: the installer appends that file here.

# The hub listens to every producer, owns its own topics, and announces
# itself to Home Assistant.
user $HUB_USER
topic read #
topic readwrite hearth/#
topic write homeassistant/device/#

# The firmware bridge: its own topics only.
user $BRIDGE_USER
topic readwrite hearth/+/bridge/#

# Devices and their programs publish under their producer's prefix only, and
# read their command topics (Zigbee2MQTT's .../set, Tasmota's cmnd/); never
# Hearth's control topics.
user $DEVICES_USER
topic readwrite zigbee2mqtt/#
topic write tele/#
topic write stat/#
topic read cmnd/#
topic write tasmota/discovery/#
topic write rtl_433/#
topic write homeassistant/#
topic read homeassistant/status
EOF
if [ -f "$ETC/mosquitto-acl.local" ]; then
  printf '\n# From %s:\n' "$ETC/mosquitto-acl.local" >>"$work/acl"
  cat "$ETC/mosquitto-acl.local" >>"$work/acl"
fi
if put_file "$work/acl" "$MOSQ_DIR/acl" 600 mosquitto:mosquitto; then
  changed "wrote the ACL to $MOSQ_DIR/acl"
  owe reload-mosquitto
fi

if [ "$tls" = yes ]; then
  # Mosquitto reads its files as user mosquitto, after dropping root.
  put_file "$TLS/server.crt" "$MOSQ_DIR/server.crt" 644 root:root &&
    owe restart-mosquitto && changed "copied the server certificate to $MOSQ_DIR"
  put_file "$TLS/server.key" "$MOSQ_DIR/server.key" 600 mosquitto:mosquitto &&
    owe restart-mosquitto && changed "copied the server key to $MOSQ_DIR"
elif [ -e "$MOSQ_DIR/server.key" ]; then
  rm -f "$MOSQ_DIR/server.crt" "$MOSQ_DIR/server.key"
  changed "removed the TLS listener's certificate from $MOSQ_DIR (--no-tls)"
fi

listen_address=" localhost"
[ "$lan" = yes ] && listen_address=""
{
  cat <<EOF
# Hearth's broker settings, written by install/install.sh; run it again rather
# than editing (its options: --tls, --lan). Mosquitto's own settings
# (persistence, logging) stay in /etc/mosquitto/mosquitto.conf.
allow_anonymous false
password_file $MOSQ_DIR/passwd
acl_file $MOSQ_DIR/acl

# Mosquitto keeps at most max_queued_messages QoS 1 messages for a client that
# is away (default 1000) and drops the rest. While the hub restarts or is
# stopped for an upgrade, every sensor message waits here for it. The recorded
# homes in docs/simulator.md log 52 to 2539 events a day (medians): with 1000,
# the busiest would lose events after about 9 hours; 100000 covers weeks.
max_queued_messages 100000

# Sensor events are small and arrive one by one: send them at once.
set_tcp_nodelay true

EOF
  if [ "$lan" = yes ]; then
    echo "# Plain MQTT on every address (--lan): for Wi-Fi devices that cannot use TLS."
  else
    echo "# Plain MQTT for programs on this box only (--lan opens it to the home network)."
  fi
  echo "listener 1883$listen_address"
  if [ "$tls" = yes ]; then
    cat <<EOF

# MQTT over TLS for devices on the home network; they trust $TLS/ca.crt.
listener 8883
certfile $MOSQ_DIR/server.crt
keyfile $MOSQ_DIR/server.key
tls_version tlsv1.2
EOF
  fi
} >"$work/hearth.conf"
if put_file "$work/hearth.conf" "$MOSQ_DROPIN" 644 root:root; then
  changed "wrote $MOSQ_DROPIN (listener 1883${listen_address:- on all addresses}$([ "$tls" = yes ] && echo ", TLS on 8883"))"
  owe restart-mosquitto
fi
[ "$changes" -eq "$before" ] && say "$MOSQ_DROPIN, passwords and ACL unchanged"

# --- the home's config -----------------------------------------------------------------

step=config
if [ -e "$CONFIG" ]; then
  # Its text is the person's; its owner may still be a hearth group removed by
  # --uninstall (a new one may have another id), and the hub reads it as that group.
  if own "$CONFIG" 640 root:hearth; then
    changed "kept $CONFIG as it is, but set it to root:hearth, mode 640 (the hub reads it as group hearth)"
  else
    say "$CONFIG kept as it is (the installer never overwrites it)"
  fi
else
  scheme=http
  web_tls=()
  if [ "$tls" = yes ]; then
    scheme=https
    web_tls=(--web-tls "$TLS/server.crt" "$TLS/server.key")
  fi
  "$VENV/bin/python" -I -B "$SOURCE/install/home_config.py" "$SOURCE/config/example-home.yaml" \
    "$work/home.yaml" --base-url "$scheme://$(hostname).local:8080" "${web_tls[@]}"
  install -m 640 -o root -g hearth "$work/home.yaml" "$CONFIG"
  changed "created $CONFIG from config/example-home.yaml: edit it for this home"
fi

# --- systemd units -------------------------------------------------------------------

step=units
units_changed=no
for unit in "${UNITS[@]}"; do
  if put_file "$SOURCE/systemd/$unit" "$UNIT_DIR/$unit" 644 root:root; then
    changed "installed $UNIT_DIR/$unit"
    units_changed=yes
    owe daemon-reload
    owe_restarts
  fi
done
[ "$units_changed" = no ] && say "${UNITS[*]} in $UNIT_DIR unchanged"

# --- check the config as the hub will read it --------------------------------------------

step=check
if ! check_output=$(runuser -u hearth -- "$VENV/bin/hearth" check-config "$CONFIG" 2>&1); then
  if [[ "$check_output" == *Traceback* ]]; then
    fail "hearth itself does not start: the install in $VENV is broken" \
      "(a dependency missing from pyproject.toml?):"$'\n'"$check_output"
  fi
  fail "$CONFIG has problems; fix them and run this again:"$'\n'"$check_output"
fi
say "$CONFIG: no problems found (read as user hearth)"

# --- services ----------------------------------------------------------------------------

step=services
if have_systemd; then
  if owed daemon-reload; then
    systemctl daemon-reload
    paid daemon-reload
  fi
  if owed restart-mosquitto || ! systemctl is-active --quiet mosquitto; then
    systemctl restart mosquitto
    paid restart-mosquitto
    paid reload-mosquitto
    changed "restarted Mosquitto"
  elif owed reload-mosquitto; then
    systemctl reload mosquitto
    paid reload-mosquitto
    changed "reloaded Mosquitto (passwords, ACL)"
  fi
  for unit in mosquitto.service "${UNITS[@]}"; do
    if ! systemctl is-enabled --quiet "$unit"; then
      systemctl enable --quiet "$unit"
      changed "enabled $unit"
    fi
  done
  for unit in "${UNITS[@]}"; do
    if ! systemctl is-active --quiet "$unit"; then
      systemctl start "$unit" || fail "$unit did not start: see journalctl -u $unit"
      changed "started $unit"
    elif owed "restart-$unit"; then
      systemctl restart "$unit" || fail "$unit did not restart: see journalctl -u $unit"
      changed "restarted $unit (new version or settings)"
    fi
    paid "restart-$unit"
  done
else
  say "systemd is not running here (no /run/systemd/system): nothing enabled or started;" \
    "start them by hand: mosquitto -c /etc/mosquitto/mosquitto.conf -d, then as user hearth:" \
    "$VENV/bin/hearth run --config $CONFIG and $VENV/bin/firmware-bridge --config $CONFIG"
fi

step=finish
say "MQTT passwords: $ETC/mqtt.pass (hub), $ETC/bridge.pass (bridge)," \
  "$ETC/devices.pass (user '$DEVICES_USER', for Zigbee2MQTT, Tasmota ...: read it with sudo cat)"
[ "$tls" = yes ] && say "devices using TLS (port 8883) must trust $TLS/ca.crt"
if [ "$changes" -eq 0 ]; then
  say "nothing changed: Hearth is installed and up to date"
else
  say "$changes changes; check the whole setup with:" \
    "sudo -u hearth $VENV/bin/hearth doctor --config $CONFIG"
fi
