#!/usr/bin/env bash
# Build the Windows offline kit: dist/CaseWorkbench-<version>-win_amd64-offline.zip and its lock beside it.
#
#   packaging/offline-kit.sh [--python 3.10|3.11|3.12|3.13 ...] [--platform win_amd64|manylinux]
#                            [--lock FILE] [--wheel FILE] [--wheelhouse DIR] [--out DIR]
#
# The kit holds the workbench's own wheel and every dependency as a wheel for win_amd64 (or pure Python), for
# each --python version (default: all four), gathered with `pip download --platform win_amd64
# --only-binary=:all: --python-version X`: nothing the laptop would have to compile. Beside the wheels:
# install.cmd / install.ps1 (per user, no admin, no network), uninstall.cmd, README.txt (en, zh),
# VERSION.txt, SHA256SUMS.txt and lock/ (every wheel's version and SHA-256, what the installer hands pip).
# The lock written beside the kit rebuilds the same kit, byte for byte: --lock FILE.
# --platform manylinux builds the same kit for Linux x86_64 (install.sh), to install it here offline.
# --wheel uses a given case-workbench wheel; --wheelhouse takes every other wheel from DIR, never the index.
#
# Environment: PYTHON (default python3) runs pip and builds the wheel; it needs PySide6 for the Windows kit's
# icon (the project's venv). DIST (default dist/) is where the kit and the lock go.
# Check a kit with packaging/check-kit.sh KIT.zip.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${1:-}" in -h|--help) sed -n '2,20p' "$0"; exit 0 ;; esac
exec "${PYTHON:-python3}" "$ROOT/packaging/kit_build.py" "$@"
