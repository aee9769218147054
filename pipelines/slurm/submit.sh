#!/usr/bin/env bash
# Submits a whole sharded stage and its merge in one go, chained with --dependency=afterok.
#
#   pipelines/slurm/submit.sh prep    N ANNOTATIONS.json IMAGE_ROOT OUT [convert options...]
#   pipelines/slurm/submit.sh predict N CHECKPOINT SHARDS RESULTS.json [predict options...]
#
# predict writes its pieces to RESULTS.json.parts/. Prints the two job ids. Run from the
# repository root; extra sbatch options go in SBATCH_ARGS (e.g. SBATCH_ARGS="-p cpu").
set -euo pipefail
here=$(dirname "$0")
usage() { sed -n 4,5p "$0" | sed 's/^# *//' >&2; exit 64; }
[ $# -ge 5 ] || usage
mode=$1 pieces=$2
shift 2
read -r -a extra <<< "${SBATCH_ARGS:-}"
case $mode in
  prep)
    out=$3
    array=$(sbatch --parsable "${extra[@]}" --array="0-$((pieces - 1))" --export="ALL,NUM_SHARDS=$pieces" "$here/prep.sbatch" "$@")
    merge=$(sbatch --parsable "${extra[@]}" --dependency="afterok:${array%%;*}" "$here/merge.sbatch" prep "$out")
    ;;
  predict)
    checkpoint=$1 shards=$2 results=$3
    shift 3
    parts="$results.parts"
    array=$(sbatch --parsable "${extra[@]}" --array="0-$((pieces - 1))" --export="ALL,NUM_SHARDS=$pieces" \
      "$here/predict.sbatch" "$checkpoint" "$shards" "$parts" "$@")
    merge=$(sbatch --parsable "${extra[@]}" --dependency="afterok:${array%%;*}" "$here/merge.sbatch" predict "$parts" "$pieces" "$results")
    ;;
  *) usage ;;
esac
echo "array job $array, merge job $merge (runs when every task succeeded)"
