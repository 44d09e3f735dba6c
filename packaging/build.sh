#!/usr/bin/env bash
# Build the frozen Case Workbench with PyInstaller and prove the bundle works before anyone ships it.
#
#   packaging/build.sh [--portable] [--skip-build]
#
# Why a smoke test after every build: a frozen app fails in ways the test suite cannot see (a module only
# reached through importlib, a data folder not collected, a native library left behind). So the script runs
# the *frozen* executables: `workbench --version`, `workbench demo` (a case the project generates, no
# fixtures), `workbench analyze --json` on it (must find the upgrade code and signature findings),
# `workbench signatures list` (the built-in packs are inside), an export-case round trip, and the window's
# `--screenshot` offscreen in English (on the .wbcase) and Chinese (on the archive). Any failure stops the
# script with a non-zero exit.
#
# Environment: PYTHON (default python3) must have the project's dependencies installed (`pip install -e .`);
# PyInstaller is installed into it when missing. DIST (default dist/) and WORK (default build/pyinstaller)
# are where the bundle and PyInstaller's work files go. Runs on Linux and in Git Bash on Windows.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
DIST="${DIST:-$ROOT/dist}"
WORK="${WORK:-$ROOT/build/pyinstaller}"
PORTABLE=0
SKIP_BUILD=0
for arg in "$@"; do
  case "$arg" in
    --portable) PORTABLE=1 ;;
    --skip-build) SKIP_BUILD=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

fail() { echo "build.sh: FAILED: $*" >&2; exit 1; }
now() { "$PYTHON" -c 'import time; print(f"{time.monotonic():.1f}")'; }
elapsed() { "$PYTHON" -c "print(f'{$(now) - $1:.1f}')"; }

cd "$ROOT"
APP="$DIST/CaseWorkbench"
EXE_SUFFIX=""
case "$(uname -s)" in MINGW*|MSYS*|CYGWIN*) EXE_SUFFIX=".exe" ;; esac
CLI="$APP/workbench$EXE_SUFFIX"
GUI="$APP/CaseWorkbench$EXE_SUFFIX"

if [ "$SKIP_BUILD" = 0 ]; then
  if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "build.sh: installing PyInstaller into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
    "$PYTHON" -m pip install --quiet pyinstaller || fail "pip install pyinstaller"
  fi
  t0=$(now)
  "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN --distpath "$DIST" --workpath "$WORK" \
    packaging/workbench.spec || fail "PyInstaller"
  BUILD_S=$(elapsed "$t0")
  echo "build.sh: built $APP in ${BUILD_S} s"
fi
[ -x "$CLI" ] || fail "$CLI is missing"
[ -x "$GUI" ] || fail "$GUI is missing"

# ---- smoke test of the frozen app, in a throw-away home (never the user's real cases) -----------------
SMOKE="$(mktemp -d "${TMPDIR:-/tmp}/wb-smoke.XXXXXX")"
trap 'rm -rf "$SMOKE"' EXIT
export WORKBENCH_HOME="$SMOKE/home"
export QT_QPA_PLATFORM=offscreen
t0=$(now)

"$CLI" --version | grep -q "Case Workbench" || fail "workbench --version"
DEMO="$("$CLI" demo --out "$SMOKE")" || fail "workbench demo"
[ -f "$DEMO" ] || fail "workbench demo wrote no case ($DEMO)"

"$CLI" analyze --json "$DEMO" > "$SMOKE/analysis.json" || fail "frozen workbench analyze exited $?"
"$PYTHON" - "$SMOKE/analysis.json" <<'PY' || fail "the frozen analysis is not what the demo case should give"
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
assert a["schema"] == "workbench.analysis/1", a["schema"]
assert a["upgrade"]["result_code"] == "0xC1900101", a["upgrade"]
assert a["crash"]["bugcheck_code"], "crash dump text not parsed"
assert not a["case"]["problems"], a["case"]["problems"]
ids = {f["id"] for f in a["findings"]}
assert len(ids) >= 3, ids
assert any(i.startswith(("beyond.", "setupdiag.")) for i in ids), f"no signature-pack finding: {ids}"
print(f"build.sh: analyze ok: {a['upgrade']['result_code']} - {a['upgrade']['extend_code']}, "
      f"{len(a['findings'])} findings")
PY

COUNT="$("$CLI" signatures list --json | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
  || fail "workbench signatures list"
[ "$COUNT" -gt 0 ] || fail "no built-in signature packs in the bundle"
echo "build.sh: $COUNT built-in signatures"

"$CLI" export-case "$DEMO" -o "$SMOKE/demo.wbcase" -q > /dev/null || fail "workbench export-case"
WORKBENCH_HOME="$SMOKE/receiver" "$CLI" analyze --json "$SMOKE/demo.wbcase" > "$SMOKE/analysis2.json" \
  || fail "frozen workbench analyze X.wbcase"
cmp -s "$SMOKE/analysis.json" "$SMOKE/analysis2.json" || fail "a .wbcase does not read like its case"

# the window on the bundle (en) and on the archive (zh): both ways a case reaches the engineer
for lang in en zh; do
  if [ "$lang" = en ]; then CASE_IN="$SMOKE/demo.wbcase"; else CASE_IN="$DEMO"; fi
  "$GUI" "$CASE_IN" --screenshot "$SMOKE/shot-$lang.png" --size 1400x900 --lang "$lang" \
    > /dev/null 2> "$SMOKE/gui-$lang.err" || { cat "$SMOKE/gui-$lang.err" >&2; fail "--screenshot ($lang)"; }
  if grep -q "no compiled translation" "$SMOKE/gui-$lang.err"; then fail "translations missing ($lang)"; fi
  "$PYTHON" - "$SMOKE/shot-$lang.png" <<'PY' || fail "--screenshot wrote no picture ($lang)"
import sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, len(data)
PY
done
SMOKE_S=$(elapsed "$t0")
SIZE="$(du -sh "$APP" | cut -f1)"
echo "build.sh: smoke test passed in ${SMOKE_S} s; bundle $APP is $SIZE"

if [ "$PORTABLE" = 1 ]; then
  "$PYTHON" packaging/portable.py --app "$APP" --out "$DIST" || fail "portable zip"
fi
echo "build.sh: OK${BUILD_S:+ (build ${BUILD_S} s, smoke ${SMOKE_S} s, $SIZE)}"
