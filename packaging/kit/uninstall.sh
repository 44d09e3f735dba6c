#!/bin/sh
# Removes what install.sh installed for this user; keeps the cases (~/.local/share/CaseWorkbench).
set -eu
INSTALL_DIR="$HOME/.local/lib/case-workbench"
BIN="$HOME/.local/bin"
for name in workbench workbench-gui; do
  if [ -L "$BIN/$name" ] && [ "$(readlink "$BIN/$name")" = "$INSTALL_DIR/venv/bin/$name" ]; then rm -f "$BIN/$name"; fi
done
rm -rf "$INSTALL_DIR"
echo "Case Workbench is removed. Your cases and notes in ~/.local/share/CaseWorkbench are kept."
