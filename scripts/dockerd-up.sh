#!/usr/bin/env bash
# Makes sure a Docker engine answers (the gem5 backend's contract tests need one), starting
# dockerd if it does not. No networking is set up: gem5 containers run with network_mode=none,
# so the daemon gets no bridge and touches no iptables (works in CI containers without them).
# Safe to run again. Log: /var/log/pieweb-dockerd.log. Exit status 1 when no engine comes up.
set -euo pipefail
if docker info >/dev/null 2>&1; then
  echo "dockerd: already running"
  exit 0
fi
if ! command -v dockerd >/dev/null; then
  echo "dockerd: not installed (run scripts/install-system-packages.sh)" >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
LOG=/var/log/pieweb-dockerd.log
$SUDO mkdir -p /var/log
# setsid: the daemon must not die with this shell (CI steps run in their own sessions).
$SUDO setsid dockerd --bridge=none --iptables=false --ip6tables=false >>"$LOG" 2>&1 < /dev/null &
for _ in $(seq 60); do
  if docker info >/dev/null 2>&1 || $SUDO docker info >/dev/null 2>&1; then
    echo "dockerd: started"
    exit 0
  fi
  sleep 1
done
echo "dockerd: did not come up within 60 s; last lines of $LOG:" >&2
tail -n 30 "$LOG" >&2 || true
exit 1
