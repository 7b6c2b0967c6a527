#!/usr/bin/env bash
# The installer build, as CI proves it: `make package`, then the bundle alone (no virtualenv on
# PATH) opens the app under Xvfb on the real xcb platform and runs the CLI on the demo: build,
# info, plan (PyVRP's native library), print (fonts, Qt's PDF writer). Prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && ! command -v makensis >/dev/null && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nsis >/dev/null || true
fi
t0=$(date +%s)
[ -n "${PACKAGE_CHECK_REUSE:-}" ] && [ -x dist/gisplanner/gisplanner ] || make package  # REUSE: a local re-run
echo "package-check: bundle built in $(( $(date +%s) - t0 )) s, $(du -sh dist/gisplanner | cut -f1) on disk"

work=$(mktemp -d)
# the bundle with a bare environment: no venv, no PYTHONPATH, its own home (a script, not a shell
# function: xvfb-run's /bin/sh does not pass exported functions on)
cat >"$work/bundle" <<EOS
#!/bin/sh
exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$work" GISPLANNER_HOME="$work/home" LANG=C.UTF-8 \\
  DISPLAY="\${DISPLAY:-}" XAUTHORITY="\${XAUTHORITY:-}" QT_QPA_PLATFORM="\${QT_QPA_PLATFORM:-}" "$PWD/dist/gisplanner/gisplanner" "\$@"
EOS
chmod +x "$work/bundle"
bundle() { "$work/bundle" "$@"; }

xvfb-run -a "$work/bundle" --smoke
bundle demo --db "$work/demo.sqlite" >/dev/null
bundle info --db "$work/demo.sqlite" --json
bundle plan --db "$work/demo.sqlite" --auto-teams --time-limit 20 --json >"$work/plan.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('package-check: plan routes', len(d['routes']))" "$work/plan.json"
QT_QPA_PLATFORM=offscreen bundle print route-sheets --db "$work/demo.sqlite" --out "$work/sheets.pdf"
pdffonts "$work/sheets.pdf" | tee "$work/fonts.txt"
grep -Eqi 'wenquanyi|wqy|cjk|hei|song' "$work/fonts.txt" || { echo "package-check: no CJK font embedded in the PDF" >&2; exit 1; }
pdftotext -f 1 -l 1 "$work/sheets.pdf" "$work/page1.txt"  # a file: grep -q on a pipe would SIGPIPE it
grep -q '走访' "$work/page1.txt" || { echo "package-check: no Chinese text in the PDF" >&2; exit 1; }
# the Windows installer script compiles (its syntax, against a stub folder: compressing the real
# 800 MB bundle takes over ten minutes here; the installer itself only runs on Windows)
if command -v makensis >/dev/null; then
  mkdir -p "$work/stub"
  echo stub >"$work/stub/gisplanner-gui.exe"
  makensis -V2 -DDIST="$work/stub" -DOUTFILE="$work/gisplanner-setup.exe" packaging/gisplanner.nsi
  echo "package-check: NSIS installer script compiles"
fi
rm -rf "$work"
echo "package-check: ok"
