#!/usr/bin/env bash
# Install the Debian 12 packages libpinn needs, if any are missing.
# Usage: apps/install-deps.sh [extra-package ...]   (run as root)
set -euo pipefail
pkgs=(gcc make cmake pkg-config libgsl-dev libhdf5-dev libcunit1-dev libopenblas-dev libopenmpi-dev openmpi-bin "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
