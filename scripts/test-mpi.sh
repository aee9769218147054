#!/usr/bin/env bash
# Multi-rank tests (part of `make test`, after the smoke pipeline, whose shards they use):
# MPI ranks over TCP loopback (`--mca btl tcp,self`, the path a multi-node job takes) against
# one process, with the release tools. Each check is an assertion; the first failure ends
# the script non-zero.
#   1. fit, exact gradient sum: 2 ranks x 1 thread, 1 rank x 2 threads and 1 rank x 1 thread
#      give byte-identical checkpoints (smoke config, 4 iterations).
#   2. resume across rank counts: 2 ranks to iteration 2, then 1 rank --resume to 4 = 1;
#      the same for a LOCE fine-tune (EBL, MFS, warm-up) from that model; seesaw refused.
#      1 again under OPENBLAS_CORETYPE=Haswell and LOCE_ISA=avx2 when the CPU has AVX2.
#   3. SIGTERM to every rank (as Slurm sends it; tiny: its 4.2 M values cross the ranks in
#      several rounds of the sum): one checkpoint, exit 143 on the job, and a 1-rank
#      --resume to the end equals the uninterrupted run.
#   4. a rank killed with SIGKILL ends the job non-zero within 60 s, naming the rank, and
#      the checkpoint that was there stays intact.
#   5. ranks given different configs refuse to start (exit 64), naming the difference; so
#      do ranks that do not divide the batch, and several ranks with the batch gradient sum.
#   6. predict: 2 ranks write the same results file as 1 process.
#   7. commands that do not run across ranks refuse (exit 64) instead of running twice.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.build/release}
SHARDS=${SHARDS:-work/test-smoke/shards}
WORK=${WORK:-work/test-mpi}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1   # tests and CI run as root
MPIRUN=(mpirun --oversubscribe --mca btl tcp,self)

command -v mpirun >/dev/null || { echo "test-mpi: mpirun not found (scripts/install-deps.sh installs openmpi-bin)" >&2; exit 1; }
[ -d "$SHARDS/train" ] || { echo "test-mpi: $SHARDS/train missing (make pipeline-check makes it)" >&2; exit 1; }
rm -rf "$WORK"; mkdir -p "$WORK"

fail() { echo "test-mpi: FAIL: $*" >&2; exit 1; }
pass() { echo "test-mpi: ok: $*" >&2; }
fit() { "$BIN/detect-train" fit --gradient-sum exact --train "$SHARDS/train" -q "$@"; }
same() { cmp -s "$1" "$2" || fail "$3: $1 and $2 differ"; }
# PIDs of the ranks (not mpirun) whose command line has "--out DIR ", optionally only rank R.
ranks() {
    for pid in $(pgrep -f -- "--out $1 "); do
        tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -q "^OMPI_COMM_WORLD_RANK=${2:-[0-9]*}$" && echo "$pid"
    done
    return 0
}

SMOKE=pipelines/configs/smoke.json
TINY=pipelines/configs/tiny.json

# 1. rank and thread counts
fit --config $SMOKE --out "$WORK/r1t2" --iterations 4 --threads 2
fit --config $SMOKE --out "$WORK/r1t1" --iterations 4 --threads 1
"${MPIRUN[@]}" -np 2 "$BIN/detect-train" fit --gradient-sum exact --train "$SHARDS/train" -q \
    --config $SMOKE --out "$WORK/r2t1" --iterations 4 --threads 1
same "$WORK/r1t2/checkpoint.safetensors" "$WORK/r2t1/checkpoint.safetensors" "2 ranks x 1 thread vs 1 rank x 2 threads"
same "$WORK/r1t1/checkpoint.safetensors" "$WORK/r2t1/checkpoint.safetensors" "2 ranks x 1 thread vs 1 rank x 1 thread"
cut -d, -f1-9 "$WORK/r1t2/log.jsonl" > "$WORK/a"; cut -d, -f1-9 "$WORK/r2t1/log.jsonl" > "$WORK/b"
same "$WORK/a" "$WORK/b" "the logged losses of 2 ranks vs 1 rank"
pass "fit: 2 ranks x 1 thread = 1 rank x 2 threads = 1 rank x 1 thread (checkpoints and losses byte-identical)"
# The same on the other kernel and vector path this CPU runs (each its own bits; ranks = threads).
if grep -qw avx2 /proc/cpuinfo; then
    for setting in OPENBLAS_CORETYPE=Haswell LOCE_ISA=avx2; do
        name=${setting//[=_]/-}
        env "$setting" "$BIN/detect-train" fit --gradient-sum exact --train "$SHARDS/train" -q --config $SMOKE \
            --out "$WORK/$name-r1t2" --iterations 4 --threads 2
        env "$setting" "${MPIRUN[@]}" -np 2 "$BIN/detect-train" fit --gradient-sum exact --train "$SHARDS/train" -q \
            --config $SMOKE --out "$WORK/$name-r2t1" --iterations 4 --threads 1
        same "$WORK/$name-r1t2/checkpoint.safetensors" "$WORK/$name-r2t1/checkpoint.safetensors" "$setting: 2 ranks vs 1 rank"
    done
    pass "fit under OPENBLAS_CORETYPE=Haswell and LOCE_ISA=avx2: 2 ranks x 1 thread = 1 rank x 2 threads"
fi

# 2. resume from 2 ranks into 1
"${MPIRUN[@]}" -np 2 "$BIN/detect-train" fit --gradient-sum exact --train "$SHARDS/train" -q \
    --config $SMOKE --out "$WORK/resume" --iterations 2 --threads 1
fit --config $SMOKE --out "$WORK/resume" --iterations 4 --threads 2 --resume
same "$WORK/r1t2/checkpoint.safetensors" "$WORK/resume/checkpoint.safetensors" "2 ranks to 2, then 1 rank --resume to 4"
pass "resume: 2 ranks then 1 rank = 1 rank throughout"

# 2b. LOCE fine-tune (EBL + MFS, warm-up pass) from that stage-1 model: 2 ranks = 1 rank,
#     also resumed from 2 ranks into 1; a loss whose state is not handled across ranks is refused
finetune() { "$BIN/loce-finetune" fit --gradient-sum exact --train "$SHARDS/train" -q --config pipelines/configs/smoke-loce.json \
    --from "$WORK/r1t2/checkpoint.safetensors" "$@"; }
finetune --out "$WORK/loce-r1" --iterations 4 --threads 2
"${MPIRUN[@]}" -np 2 "$BIN/loce-finetune" fit --gradient-sum exact --train "$SHARDS/train" -q --config pipelines/configs/smoke-loce.json \
    --from "$WORK/r1t2/checkpoint.safetensors" --out "$WORK/loce-r2" --iterations 4 --threads 1
same "$WORK/loce-r1/checkpoint.safetensors" "$WORK/loce-r2/checkpoint.safetensors" "loce-finetune: 2 ranks vs 1 rank"
"${MPIRUN[@]}" -np 2 "$BIN/loce-finetune" fit --gradient-sum exact --train "$SHARDS/train" -q --config pipelines/configs/smoke-loce.json \
    --from "$WORK/r1t2/checkpoint.safetensors" --out "$WORK/loce-resume" --iterations 2 --threads 1
finetune --out "$WORK/loce-resume" --iterations 4 --threads 2 --resume
same "$WORK/loce-r1/checkpoint.safetensors" "$WORK/loce-resume/checkpoint.safetensors" "loce-finetune: 2 ranks to 2, then 1 rank --resume to 4"
status=0
"${MPIRUN[@]}" -np 2 "$BIN/loce-finetune" fit --gradient-sum exact --loss seesaw --train "$SHARDS/train" -q \
    --config pipelines/configs/smoke-loce.json --from "$WORK/r1t2/checkpoint.safetensors" --out "$WORK/loce-seesaw" \
    --iterations 2 --threads 1 > "$WORK/seesaw.out" 2>&1 || status=$?
[ "$status" -eq 64 ] && grep -q 'does not support solver.gradientSum "exact"' "$WORK/seesaw.out" \
    || { cat "$WORK/seesaw.out" >&2; fail "seesaw across ranks: exit $status, expected 64"; }
pass "loce-finetune: 2 ranks = 1 rank (mean scores, memory, checkpoint byte-identical), also resumed 2 -> 1; seesaw refused"

# 3. SIGTERM to every rank (tiny config: iterations long enough to signal mid-run)
fit --config $TINY --out "$WORK/tiny-whole" --iterations 6 --threads 2
"${MPIRUN[@]}" -np 2 "$BIN/detect-train" fit --gradient-sum exact --train "$SHARDS/train" -q \
    --config $TINY --out "$WORK/tiny-stop" --iterations 6 --threads 1 > "$WORK/stop.err" 2>&1 &
job=$!
for _ in $(seq 600); do [ -s "$WORK/tiny-stop/log.jsonl" ] && break; sleep 0.1; done
[ -s "$WORK/tiny-stop/log.jsonl" ] || fail "SIGTERM test: the run logged nothing in 60 s"
targets=$(ranks "$WORK/tiny-stop")
[ "$(echo "$targets" | wc -w)" -eq 2 ] || fail "SIGTERM test: expected 2 ranks, found: $targets"
kill -TERM $targets
status=0; wait $job || status=$?
[ "$status" -eq 143 ] || { cat "$WORK/stop.err" >&2; fail "SIGTERM: the job exited $status, expected 143"; }
grep -q "stopped by SIGTERM after iteration" "$WORK/stop.err" || fail "SIGTERM: no stop message"
stopped=$(wc -l < "$WORK/tiny-stop/log.jsonl")
[ "$stopped" -lt 6 ] || fail "SIGTERM: the run finished before the signal (test inconclusive)"
fit --config $TINY --out "$WORK/tiny-stop" --iterations 6 --threads 2 --resume
same "$WORK/tiny-whole/checkpoint.safetensors" "$WORK/tiny-stop/checkpoint.safetensors" "SIGTERM after iteration $stopped, then 1-rank --resume"
pass "SIGTERM: every rank stopped after iteration $stopped, exit 143; 1-rank --resume = uninterrupted run"

# 4. a rank killed: the job ends, naming it; the checkpoint there stays intact
cp -r "$WORK/tiny-whole" "$WORK/tiny-kill"
cp "$WORK/tiny-kill/checkpoint.safetensors" "$WORK/kept.safetensors"
start=$(date +%s)
"${MPIRUN[@]}" -np 2 "$BIN/detect-train" fit --gradient-sum exact --train "$SHARDS/train" -q \
    --config $TINY --out "$WORK/tiny-kill" --iterations 400 --threads 1 --resume > "$WORK/kill.out" 2>&1 &
job=$!
for _ in $(seq 600); do [ "$(wc -l < "$WORK/tiny-kill/log.jsonl")" -gt 6 ] && break; sleep 0.1; done
victim=$(ranks "$WORK/tiny-kill" 1)
[ -n "$victim" ] || fail "kill test: rank 1 not found"
kill -KILL "$victim"
status=0; wait $job || status=$?
elapsed=$(( $(date +%s) - start ))
[ "$status" -ne 0 ] || fail "kill: the job exited 0 after rank 1 was killed"
[ "$elapsed" -le 60 ] || fail "kill: the job took ${elapsed}s to end"
grep -Eq "rank 1 .*(exited on signal 9|Killed)|process rank 1" "$WORK/kill.out" || { cat "$WORK/kill.out" >&2; fail "kill: no message naming rank 1"; }
same "$WORK/kept.safetensors" "$WORK/tiny-kill/checkpoint.safetensors" "the checkpoint before the kill"
pass "SIGKILL of rank 1: the job exited $status after ${elapsed}s naming rank 1; the checkpoint is intact"

# 5. different configs refuse to start
status=0
"${MPIRUN[@]}" -np 1 "$BIN/detect-train" fit --gradient-sum exact --train "$SHARDS/train" -q --config $SMOKE --out "$WORK/differ" --iterations 2 --seed 1 : \
               -np 1 "$BIN/detect-train" fit --gradient-sum exact --train "$SHARDS/train" -q --config $SMOKE --out "$WORK/differ" --iterations 2 --seed 2 \
    > "$WORK/differ.out" 2>&1 || status=$?
[ "$status" -eq 64 ] || { cat "$WORK/differ.out" >&2; fail "different seeds: exit $status, expected 64"; }
grep -q "rank 1 was given a different config than rank 0" "$WORK/differ.out" || { cat "$WORK/differ.out" >&2; fail "different seeds: no message naming the config"; }
[ ! -e "$WORK/differ/checkpoint.safetensors" ] || fail "different seeds: a checkpoint was written"
pass "ranks with different configs refused to start (exit 64, naming the config)"
status=0
"${MPIRUN[@]}" -np 3 "$BIN/detect-train" fit --gradient-sum exact --train "$SHARDS/train" -q --config $SMOKE \
    --out "$WORK/three" --iterations 2 --threads 1 > "$WORK/three.out" 2>&1 || status=$?
[ "$status" -eq 64 ] && grep -q "solver.imagesPerBatch 2 cannot be split over 3 ranks" "$WORK/three.out" \
    || { cat "$WORK/three.out" >&2; fail "3 ranks on a batch of 2: exit $status, expected 64"; }
status=0
"${MPIRUN[@]}" -np 2 "$BIN/detect-train" fit --train "$SHARDS/train" -q --config $SMOKE \
    --out "$WORK/batchsum" --iterations 2 --threads 1 > "$WORK/batchsum.out" 2>&1 || status=$?
[ "$status" -eq 64 ] && grep -q 'solver.gradientSum is "batch"' "$WORK/batchsum.out" \
    || { cat "$WORK/batchsum.out" >&2; fail "2 ranks with the batch sum: exit $status, expected 64"; }
[ ! -e "$WORK/three/checkpoint.safetensors" ] && [ ! -e "$WORK/batchsum/checkpoint.safetensors" ] || fail "a refused run wrote a checkpoint"
pass "3 ranks on a batch of 2, and 2 ranks with the batch sum, refused (exit 64)"

# 6. predict across ranks
"$BIN/detect-train" predict --checkpoint "$WORK/r1t2/checkpoint.safetensors" --data "$SHARDS/val" --out "$WORK/one.json" --threads 2 -q
"${MPIRUN[@]}" -np 2 "$BIN/detect-train" predict --checkpoint "$WORK/r1t2/checkpoint.safetensors" --data "$SHARDS/val" \
    --out "$WORK/two.json" --threads 1 -q
same "$WORK/one.json" "$WORK/two.json" "predict: 2 ranks vs 1 process"
"${MPIRUN[@]}" -np 2 "$BIN/detect-train" predict --checkpoint "$WORK/r1t2/checkpoint.safetensors" --data "$SHARDS/val" \
    --threads 1 -q > "$WORK/stdout.json"
same "$WORK/one.json" "$WORK/stdout.json" "predict to stdout: 2 ranks vs 1 process"
pass "predict: 2 ranks write the same results as 1 process (file and stdout)"

# 7. tools that do not run across ranks say so
status=0
"${MPIRUN[@]}" -np 2 "$BIN/detect-eval" --gt "$SHARDS/../data/lvis_v1_val.json" --dt "$WORK/one.json" > "$WORK/eval.out" 2>&1 || status=$?
[ "$status" -eq 64 ] && grep -q "does not run across MPI ranks" "$WORK/eval.out" || { cat "$WORK/eval.out" >&2; fail "detect-eval under mpirun: exit $status"; }
pass "detect-eval under mpirun refuses (exit 64)"
echo "test-mpi: all passed" >&2
