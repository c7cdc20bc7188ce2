#!/usr/bin/env bash
# Installs what the tests need beyond Node.js (20, 22 or 24, with npm), with apt, on Debian or
# Ubuntu: the real peers the tests talk to (Mosquitto's broker and clients, kcat, Debian's
# docker-compose to validate compose/docker-compose.yml without an engine), procps (pgrep: the
# tests check that nothing is left running), Debian's chromium (the dashboard's browser tests drive it
# with playwright-core; no browser is downloaded), and a JDK 17+ with Maven where none is found.
set -euo pipefail
packages=(mosquitto mosquitto-clients kcat docker-compose procps chromium)
java_major() {
  # "17.0.15" from `java -version`'s first line, or "1.8.0_…" as 1.
  java -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p'
}
if ! command -v javac >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then packages+=(openjdk-17-jdk-headless); fi
command -v mvn >/dev/null 2>&1 || packages+=(maven)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing ${missing[*]} (apt)" >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a mosquitto service where systemd runs; the tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  $sudo systemctl stop mosquitto || true
fi
