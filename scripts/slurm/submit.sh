#!/usr/bin/env bash
# Runs an experiment as a Slurm job array of N shards, then merges them and writes the report.
# Usage: scripts/slurm/submit.sh experiments/NAME.yaml N [OUT] [extra sbatch options...]
# Example: scripts/slurm/submit.sh experiments/rcd-sockshop.yaml 8 out/rcd-sockshop --partition=short
set -euo pipefail
spec="${1:?usage: submit.sh SPEC N [OUT] [sbatch options...]}"
n="${2:?usage: submit.sh SPEC N [OUT] [sbatch options...]}"
out="${3:-out/$(basename "$spec" .yaml)}"
shift $(( $# >= 3 ? 3 : 2 ))
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"
# Build once here (array tasks must not build concurrently) and check every name in the spec before submitting.
./aiopslab run "$spec" --dry-run --shard "1/$n"
mkdir -p "$out"
array=$(sbatch --parsable --array="1-$n" --export="ALL,SPEC=$spec,OUT=$out" "$@" scripts/slurm/aiopslab-array.sbatch)
merge=$(sbatch --parsable --dependency="afterok:$array" --export="ALL,SPEC=$spec,OUT=$out,SHARDS=$n" "$@" scripts/slurm/aiopslab-merge.sbatch)
echo "submitted array job $array ($n shards of $spec) and merge job $merge; results in $out/merged, report in $out/merged/report"
