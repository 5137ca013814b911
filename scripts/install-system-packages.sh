#!/usr/bin/env bash
# Installs the OS packages pieweb needs (Debian/Ubuntu). Safe to run again.
set -euo pipefail
PACKAGES=(g++ valgrind bubblewrap python3-venv chromium chromium-driver docker.io wrk hyperfine)
missing=()
# npm comes with NodeSource's nodejs where that is installed; Debian ships them apart.
command -v npm >/dev/null || PACKAGES+=(nodejs npm)
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
