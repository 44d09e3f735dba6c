#!/bin/sh
# Case Workbench @@VERSION@@ offline installer for Linux x86_64: per user, no root, no network.
# The same steps as the Windows kit's install.ps1 (the same lock files and pip options), so installing this kit
# on a machine with no network proves the kit needs nothing from outside. Run: sh install.sh
set -eu
KIT=$(cd "$(dirname "$0")" && pwd)
PYTHON_VERSIONS="@@PYTHONS_SH@@"  # newest first: the Python versions this kit has wheels for
INSTALL_DIR="$HOME/.local/lib/case-workbench"
VENV="$INSTALL_DIR/venv"
BIN="$HOME/.local/bin"

step() { printf '\n[%s/5] %s\n      %s\n' "$1" "$2" "$3"; }
stop() { printf '\n%s\n' "$1" >&2; exit 1; }

step 1 "Checking the files of the kit against SHA256SUMS.txt" "按 SHA256SUMS.txt 校验安装包中的文件"
[ -d "$KIT/wheels" ] || stop "The wheels folder is missing: unpack the whole kit first, then run install.sh from it."
(cd "$KIT" && sha256sum --quiet -c SHA256SUMS.txt) || stop "A file of the kit is missing or damaged (see above): copy the kit again."

step 2 "Finding Python" "查找 Python"
PY=""
for v in $PYTHON_VERSIONS; do
  # one that runs and can make a venv (a version-manager shim or a Python without ensurepip cannot)
  if [ -z "$PY" ] && "python$v" -c "import venv, ensurepip" >/dev/null 2>&1; then PY=$(command -v "python$v"); PYV=$v; fi
done
[ -n "$PY" ] || stop "No Python $PYTHON_VERSIONS was found: install one with your package manager, then run install.sh again."
echo "      Python $PYV: $PY"

step 3 "Creating the program folder" "创建程序文件夹"
echo "      $INSTALL_DIR"
rm -rf "$VENV"
mkdir -p "$INSTALL_DIR"
"$PY" -m venv "$VENV"

step 4 "Installing Case Workbench from the wheels folder (pip --no-index: nothing is downloaded)" "从 wheels 文件夹安装 Case Workbench（pip --no-index：不下载任何内容）"
export PIP_CONFIG_FILE=/dev/null  # no pip.conf of this machine takes part: only the kit's wheels count
"$VENV/bin/python" -m pip --isolated install @@PIP_OFFLINE@@ --find-links "$KIT/wheels" -r "$KIT/lock/pip.txt"
"$VENV/bin/python" -m pip --isolated install @@PIP_OFFLINE@@ --find-links "$KIT/wheels" -r "$KIT/lock/py$PYV.txt"
"$VENV/bin/workbench" --version

step 5 "Linking workbench and workbench-gui" "链接 workbench 和 workbench-gui"
mkdir -p "$BIN"
ln -sf "$VENV/bin/workbench" "$BIN/workbench"
ln -sf "$VENV/bin/workbench-gui" "$BIN/workbench-gui"
printf '\nCase Workbench @@VERSION@@ is installed: %s\n' "$BIN/workbench"
