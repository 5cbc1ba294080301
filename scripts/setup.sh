#!/usr/bin/env bash
# Idempotent set-up of everything the Python side needs on Debian 12 (PyPI is not assumed):
# Debian packages, the .venv with system site packages, and the editable install.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  python3 python3-venv python3-pip python3-setuptools python3-wheel libpython3.11
  python3-msal python3-keyring python3-typer python3-pytest python3-cryptography python3-jwt
  python3-requests python3-trustme python3-werkzeug python3-filelock python3-platformdirs
  python3-tomli-w python3-pyotp python3-hypothesis python3-rich python3-azure python3-selenium
  chromium chromium-driver gnome-keyring dbus procps
)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv (Debian python3 with system site packages)"
  /usr/bin/python3 -m venv --system-site-packages .venv
fi

stamp=.venv/.sam-bridge-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing sam-bridge in editable mode"
  .venv/bin/pip install --quiet --isolated --no-build-isolation --no-deps --no-index -e .
  touch "$stamp"
fi
