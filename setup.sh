#!/usr/bin/env bash
# Set up Hearth on a fresh Debian 12 or Raspberry Pi OS (bookworm) machine, then
#   ./setup.sh demo   replay a real recorded home as live MQTT traffic into a running hub
#   ./setup.sh test   run the linters, the type checker and the whole test suite
# It needs only python3 and root or sudo; it installs everything else itself and
# can be run again at any time (it installs only what is missing).
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-}
case "$mode" in
  demo | test) ;;
  *)
    echo "usage: ./setup.sh demo | test" >&2
    exit 2
    ;;
esac

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup.sh: run as root or install sudo" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

# System packages: Mosquitto (tests and the demo start private brokers with it),
# socat (serial-port pairs for the bridge tests), systemd (systemd-analyze
# checks the service units), venv support for Debian's python3, sqlite3 to
# look inside the database, espeak-ng (spoken prompts in the home) and
# alsa-utils (aplay, the default player; optional at run time: no sound card
# is needed to render speech), openssl (TLS certificates), pango and a font
# (WeasyPrint prints the weekly summary's PDF with them); for the tests also
# the shell linter, so the installer is checked like the code, Chromium
# (the web app's browser tests drive Debian's build; nothing is downloaded),
# and what tests/install/test_install_systemd.py needs to run the installer
# where systemd is PID 1: mmdebstrap (a Debian 12 root), systemd-nspawn (boots
# it) and slirp4netns (its own network namespace, with a way out).
packages=(python3-venv mosquitto mosquitto-clients socat systemd sqlite3 espeak-ng alsa-utils openssl
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [ "$mode" = test ]; then
  packages+=(shellcheck chromium mmdebstrap systemd-container slirp4netns)
fi
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The project's own virtual environment, with the test tools when testing.
if [ ! -x .venv/bin/python ]; then
  echo "setup.sh: creating .venv"
  python3 -m venv .venv
fi
extras=""
[ "$mode" = test ] && extras="[test]"
echo "setup.sh: installing Hearth${extras} into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"

if [ "$mode" = demo ]; then
  exec .venv/bin/hearth demo
fi
echo "setup.sh: ruff"
.venv/bin/ruff check .
echo "setup.sh: shellcheck"
shellcheck install/install.sh setup.sh
echo "setup.sh: mypy (strict)"
.venv/bin/mypy
echo "setup.sh: pytest"
exec .venv/bin/pytest
