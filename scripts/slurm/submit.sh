#!/usr/bin/env bash
# Runs an experiment as a Slurm job array of N shards, then merges them and writes the report.
#   scripts/slurm/submit.sh SPEC N [OUT] [sbatch options...]   submit a new run (OUT defaults to out/<spec name>)
#   scripts/slurm/submit.sh --resume OUT                       resubmit only the unfinished shards of OUT, and a new merge
#   scripts/slurm/submit.sh --status OUT                       which shards are finished, which are not
# Example: scripts/slurm/submit.sh experiments/rcd-sockshop.yaml 8 out/rcd-sockshop --partition=short
#
# What survives what (docs/experiments.md, "Slurm"): every finished case of a shard is in its run store
# (OUT/shard-I/runs.db), so a task that is preempted, requeued, killed (kill -9, node loss) or cancelled loses at most
# the cases it was computing; resubmitting the shard resumes it. A shard counts as finished only when its task
# exited normally (0, or 3 = finished with unreadable cases recorded as failed) and wrote OUT/status/shard-I.done.
# The merge job runs after the array whatever happened to the tasks (afterany) and refuses to merge, naming the
# unfinished shards and the command to finish them, unless every shard is finished.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"

usage() { echo "usage: submit.sh SPEC N [OUT] [sbatch options...] | submit.sh --resume OUT [sbatch options...] | submit.sh --status OUT" >&2; exit 2; }

# Shards of OUT without a completion marker, as a comma-separated list for --array.
unfinished() {
  local out="$1" n="$2" list=""
  for i in $(seq 1 "$n"); do [[ -f "$out/status/shard-$i.done" ]] || list+="${list:+,}$i"; done
  echo "$list"
}

submit_array_and_merge() {
  local spec="$1" n="$2" out="$3" tasks="$4"; shift 4
  mkdir -p "$out/logs" "$out/status"
  # --open-mode=append: a requeued task (same job and task id) appends to its log instead of overwriting it; each
  # attempt starts with a header line naming its restart count.
  local array merge
  array=$(sbatch --parsable --array="$tasks" --open-mode=append --output="$out/logs/array-%A_%a.out" \
    --export="ALL,SPEC=$spec,OUT=$out,SHARDS=$n" "$@" scripts/slurm/aiopslab-array.sbatch)
  merge=$(sbatch --parsable --dependency="afterany:$array" --open-mode=append --output="$out/logs/merge-%j.out" \
    --export="ALL,SPEC=$spec,OUT=$out,SHARDS=$n" "$@" scripts/slurm/aiopslab-merge.sbatch)
  echo "$(date -u +%FT%TZ) array=$array tasks=$tasks merge=$merge" >>"$out/status/submissions.log"
  echo "submitted array job $array (shards $tasks of $n, $spec) and merge job $merge; results in $out/merged, report in $out/merged/report"
}

case "${1:-}" in
  ""|-h|--help) usage ;;
  --status|--resume)
    mode="$1"; out="${2:?$(usage)}"; shift 2
    [[ -f "$out/status/run.env" ]] || { echo "error: $out/status/run.env not found: $out was not submitted by submit.sh" >&2; exit 2; }
    # shellcheck disable=SC1091
    source "$out/status/run.env"   # SPEC, SHARDS
    todo=$(unfinished "$out" "$SHARDS")
    if [[ "$mode" == --status ]]; then
      echo "$SPEC in $SHARDS shard(s): unfinished: ${todo:-none}"
      [[ -z "$todo" ]]; exit $?
    fi
    if [[ -z "$todo" ]]; then
      echo "every shard of $out is finished; submitting the merge only"
      merge=$(sbatch --parsable --open-mode=append --output="$out/logs/merge-%j.out" --export="ALL,SPEC=$SPEC,OUT=$out,SHARDS=$SHARDS" "$@" scripts/slurm/aiopslab-merge.sbatch)
      echo "$(date -u +%FT%TZ) merge=$merge" >>"$out/status/submissions.log"
      echo "submitted merge job $merge"
      exit 0
    fi
    ./aiopslab run "$SPEC" --dry-run --shard "1/$SHARDS" >/dev/null
    submit_array_and_merge "$SPEC" "$SHARDS" "$out" "$todo" "$@"
    ;;
  *)
    spec="$1"; n="${2:?$(usage)}"
    out="${3:-out/$(basename "$spec" .yaml)}"
    shift $(( $# >= 3 ? 3 : 2 ))
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "error: N must be a positive whole number, got '$n'" >&2; exit 2; }
    # Build once here (array tasks must not build concurrently) and check every name in the spec before submitting.
    ./aiopslab run "$spec" --dry-run --shard "1/$n"
    mkdir -p "$out/status"
    if [[ -f "$out/status/run.env" ]]; then
      # shellcheck disable=SC1091
      prev=$(source "$out/status/run.env"; echo "$SPEC $SHARDS")
      [[ "$prev" == "$spec $n" ]] || { echo "error: $out already holds a run of $prev; use another OUT, or --resume $out" >&2; exit 2; }
    fi
    printf 'SPEC=%q\nSHARDS=%q\n' "$spec" "$n" >"$out/status/run.env"
    submit_array_and_merge "$spec" "$n" "$out" "$(unfinished "$out" "$n")" "$@"
    ;;
esac
