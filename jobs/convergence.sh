#!/usr/bin/env bash
# Submits a convergence study: the sweep in SWEEPDIR as a job array (one task per variant of
# SWEEPDIR/sweep.json) and a collect-and-plot job that starts when every task succeeded (afterok).
#
#   jobs/convergence.sh SWEEPDIR [extra measureflow run args]
#
# Logs: SWEEPDIR/logs/sweep-<array>_<task>.out and collect-<job>.out; each run also logs to its output
# dir. MF_SBATCH_ARGS adds sbatch options to both submissions (e.g. "--ntasks=4 --time=01:00:00"),
# MF_ARRAY_LIMIT=K runs at most K tasks at once (--array=...%K),
# MF_WAIT=1 waits until the collect job ends (sbatch --wait) and returns its status.
# Prints "array <id>" and "collect <id>".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: jobs/convergence.sh SWEEPDIR [extra measureflow run args]}
shift
[ -f "$dir/sweep.json" ] || { echo "convergence.sh: $dir/sweep.json not found (measureflow sweep DECK --out $dir)" >&2; exit 2; }
n=$(/usr/bin/python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["variants"]))' "$dir/sweep.json")
[ "$n" -gt 0 ] || { echo "convergence.sh: $dir/sweep.json lists no variants" >&2; exit 2; }
ids=$(/usr/bin/python3 -c 'import json, sys; print(",".join(str(v["id"]) for v in json.load(open(sys.argv[1]))["variants"]))' "$dir/sweep.json")
mkdir -p "$dir/logs"
export MF_JOBS_DIR="$here" MF_POSTPROCESS_DIR="${MF_POSTPROCESS_DIR:-$(dirname "$here")/postprocess}"
export MF_LOG_PATTERN="$dir/logs/sweep-%A_%a.out"
array="$ids${MF_ARRAY_LIMIT:+%$MF_ARRAY_LIMIT}"
# shellcheck disable=SC2086
array_id=$(sbatch --parsable ${MF_SBATCH_ARGS:-} --array="$array" --output="$MF_LOG_PATTERN" \
  "$here/sweep.sbatch" "$dir" "$@")
array_id=${array_id%%;*}
echo "array $array_id ($n variants)"
wait_flag=()
[ "${MF_WAIT:-0}" = 1 ] && wait_flag=(--wait)
set +e
# shellcheck disable=SC2086
collect_id=$(sbatch --parsable ${MF_SBATCH_ARGS:-} "${wait_flag[@]}" --dependency="afterok:$array_id" \
  --kill-on-invalid-dep=yes --output="$dir/logs/collect-%j.out" "$here/convergence.sbatch" "$dir")
rc=$?
set -e
echo "collect ${collect_id%%;*}"
exit "$rc"
