#!/usr/bin/env bash
# Installs the native libraries the tools link against (Debian packages), only when
# something is missing. Idempotent: a second run does nothing and prints nothing.
set -euo pipefail

# openmpi-bin: mpirun and libmpi for multi-rank training (the tools open libmpi at run time,
# so no MPI headers are needed, and a machine without it still runs every tool as one process).
packages=(libopenblas-dev libjpeg-dev libpng-dev zlib1g-dev pkg-config openmpi-bin)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing+=("$p") ;;
  esac
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: this is not a Debian/Ubuntu machine; install OpenBLAS, libjpeg(-turbo), libpng, zlib and pkg-config development files (and an MPI for multi-rank runs) by hand." >&2
  exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: not root; run:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
echo "install-deps: done" >&2
