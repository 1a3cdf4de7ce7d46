#!/usr/bin/env bash
# Runs the whole test suite (unit, conformance, dataset, CLI and integration tests) and ends with the line
# "N passed, N failed[, N skipped]" counted from the test results (TRX), not from dotnet's own summary.
# Datasets: $AIOPSLAB_DATA if set, else ../shared/datasets beside this checkout. Tests that need a dataset that is
# absent are skipped with a message naming the folder; under CI (CI=true) they fail instead.
# Extra arguments go to `dotnet test` (e.g. ./test.sh --filter Conformance).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
results="$here/TestResults"
rm -rf "$results"
mkdir -p "$results"

dotnet build AiopsLab.sln -c Release -nologo -v quiet -clp:ErrorsOnly
build=$?
if [[ $build -ne 0 ]]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
# The Release build above is what ./aiopslab runs (scripts such as scripts/slurm/submit.sh call it): mark it fresh.
touch src/AiopsLab.Cli/bin/Release/.built

# External methods: the Python client's tests need python3 (Debian's); installed here under CI, skipped elsewhere if absent.
# Figures: the PNG rendering test needs headless chromium (Debian) and plotly.js (npm). Under CI both are installed
# here (about 30 s the first time, nothing after); elsewhere that test skips, saying so, where they are absent.
if [[ -n "${CI:-}" && "${CI}" != "false" && "${CI}" != "0" ]]; then
  scripts/install-plotly.sh || echo "warning: plotly.js could not be installed; the PNG test will fail"
  scripts/install-chromium.sh || echo "warning: chromium could not be installed; the PNG test will fail"
  scripts/install-prometheus.sh || echo "warning: prometheus could not be installed; the Prometheus tests will fail"
  scripts/install-python.sh || echo "warning: python3 could not be installed; the external-method tests will fail"
fi

dotnet test AiopsLab.sln -c Release --no-build -nologo --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [[ -f "$trx" ]] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  p=$(get passed); f=$(get failed); e=$(get error); t=$(get total); x=$(get executed)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
  skipped=$((skipped + ${t:-0} - ${x:-0}))
done
if [[ $files -eq 0 ]]; then
  echo "no test results were written"
  failed=$((failed + 1))
fi
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi # the runner failed without recording a failed test
# Name every failed test (with the first lines of its message) just above the count, so that the tail of a CI log says
# which test failed and why without scrolling through the whole run.
if [[ $failed -gt 0 && $files -gt 0 ]]; then
  python3 - "$results" <<'PY' 2>/dev/null || grep -ho 'testName="[^"]*" [^>]*outcome="Failed"' "$results"/*.trx | sed 's/ .*//; s/testName=/FAILED: /'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for trx in sorted(glob.glob(sys.argv[1] + "/*.trx")):
    for r in ET.parse(trx).getroot().iterfind(".//t:UnitTestResult", ns):
        if r.get("outcome") != "Failed":
            continue
        print("FAILED:", r.get("testName"), "(" + (r.get("duration") or "?") + ")")
        msg = r.find("t:Output/t:ErrorInfo/t:Message", ns)
        for line in ((msg.text if msg is not None else "") or "").strip().splitlines()[:12]:
            print("    " + line[:300])
PY
fi
echo "${skipped} skipped"
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
