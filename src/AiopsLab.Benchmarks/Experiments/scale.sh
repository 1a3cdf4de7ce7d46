#!/usr/bin/env bash
# Scale benchmark of the experiment runner (CLI timing): `aiopslab run` on 1,000 and 10,000 synthetic cases, 3 runs per
# case, 2 jobs; prints wall time, peak resident memory (GNU time) and store size per size, median of REPEAT runs.
# Usage: src/AiopsLab.Benchmarks/Experiments/scale.sh [REPEAT=3]
# The specs name the random baseline under 3 seeds until nsigma, baro and e-diagnosis are registered; set
# METHODS="nsigma,baro,e-diagnosis" to use them (then seeds: [0]).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
repeat="${1:-3}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
"$repo/aiopslab" --help >/dev/null
dll="$repo/src/AiopsLab.Cli/bin/Release/net10.0/AiopsLab.Cli.dll"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for size in 1k 10k; do
  spec="$here/scale-$size.yaml"
  if [[ -n "${METHODS:-}" ]]; then
    n=$([[ $size == 1k ]] && echo 1000 || echo 10000)
    { echo "name: scale-$size"; echo "datasets:"; echo "  - name: synthetic"; echo "    options: { cases: $n }"; echo "methods:"
      for m in ${METHODS//,/ }; do echo "  - $m"; done; echo "seeds: [0]"; echo "timeout: 60"; } > "$tmp/scale-$size.yaml"
    spec="$tmp/scale-$size.yaml"
  fi
  for r in $(seq 1 "$repeat"); do
    rm -rf "$tmp/out"
    /usr/bin/time -f "%e %M" -o "$tmp/time" dotnet "$dll" run "$spec" --out "$tmp/out" --jobs 2 >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    read -r secs kb < "$tmp/time"
    bytes=$(stat -c %s "$tmp/out/runs.db")
    rows=$(sqlite3 "$tmp/out/runs.db" "select count(*) from runs" 2>/dev/null || echo "?")
    echo "$size run $r: ${secs} s wall, peak RSS $((kb / 1024)) MiB, store $((bytes / 1024 / 1024)) MiB ($bytes bytes), $rows rows"
  done
done
