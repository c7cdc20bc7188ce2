#!/usr/bin/env bash
# Installs the real peers the tests talk to: Mosquitto (MQTT broker and clients), kcat (Kafka
# client) and Debian's docker-compose (validates compose/docker-compose.yml without an engine).
# Java 17 with Maven and Node 20 are expected already (see README, Requirements).
set -euo pipefail
packages=(mosquitto mosquitto-clients kcat docker-compose)
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
