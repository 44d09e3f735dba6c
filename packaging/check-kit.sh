#!/usr/bin/env bash
# Check an offline kit: it installs from its own files alone, for its platform and every Python version in it.
#
#   packaging/check-kit.sh KIT.zip [--no-install]
#
# Per Python version of the kit: `pip install --dry-run --no-index --find-links wheels --platform win_amd64
# --python-version X --only-binary=:all: --target T case-workbench` resolves from the kit alone (no pip.conf
# of this machine, the target's environment markers) to exactly the versions lock/ pins, and the lock with its
# hashes is accepted; the dependency closure is walked again without pip; every wheel's tags fit the platform
# and that Python; every file matches SHA256SUMS.txt; the scripts carry no absolute path of this machine;
# README.txt lists the install script's steps in order (en, zh) with the same pip options.
# A kit built with --platform manylinux is also installed here with its install.sh, the network cut
# (unshare -n, else a dead proxy and PIP_NO_INDEX), and `workbench analyze` runs on the demo case.
#
# Environment: PYTHON (default python3) runs pip. Exit code 0 when every check holds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${1:-}" in ""|-h|--help) sed -n '2,16p' "$0"; exit 2 ;; esac
exec "${PYTHON:-python3}" "$ROOT/packaging/kit_check.py" "$@"
