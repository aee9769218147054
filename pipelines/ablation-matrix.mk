# `make ablation-matrix`: every box-classifier loss (loce-finetune --loss) with and without MFS,
# fine-tuned from one stage-1 model per seed, over several seeds of the synthetic dataset and
# stage 1 (issue 23; docs/method.md §Other classifier losses):
#
#   make ablation-matrix                              (SEEDS="1 2 3", every loss, PRESET=tiny)
#   make ablation-matrix SEEDS=1 LOSSES="ce ebl"      (one short cell to iterate on)
#   make ablation-matrix IMBALANCE=2 SEEDS=1          (a steeper tail: lvis-prep synth --imbalance)
#
# Per seed S, in MATRIX/seedS (the pipeline's rules with WORK=MATRIX/seedS, SEED=S): the
# synthetic data (seed S), shards, the stage-1 baseline, then one fine-tune per LOSS x {mfs,
# nomfs} as MATRIX/seedS/m-LOSS-MODE (each its own fit.done target, resumed after an
# interruption, so the matrix can be built over several sittings or as a Slurm array:
# pipelines/slurm/ablation-matrix.sbatch), predicted and evaluated (eval-m-LOSS-MODE.json).
# Then MATRIX/table.md (`detect-eval compare --by-seed`: box and mask AP, APr, APc, APf as
# mean ± sd over the seeds), MATRIX/scatter.png (APr vs APf, seeds as points) and
# MATRIX/seconds.txt (the wall time of each seed's make), copied into docs/results.md between
# markers for this preset, imbalance and OpenBLAS kernel.

SEEDS ?= 1 2 3
LOSSES ?= ce ebl seesaw eqlv2 ecm federated
IMBALANCE ?= 1
MATRIX ?= work/matrix-$(PRESET)-x$(IMBALANCE)
MATRIX_RUNS = baseline $(foreach l,$(LOSSES),m-$(l)-mfs m-$(l)-nomfs)
MATRIX_NAME = matrix-$(PRESET)-x$(IMBALANCE)
# make with seed $(1)'s variables: its WORK folder, its seed, the synthetic data's knobs.
matrix-make = $(MAKE) --no-print-directory WORK=$(MATRIX)/seed$(1) SEED=$(1) \
  SYNTH_ARGS="$(SYNTH_ARGS_$(PRESET)) --imbalance $(IMBALANCE)" LOSSES="$(LOSSES)"

.PHONY: ablation-matrix matrix-seed matrix-cell

ablation-matrix: build
	@mkdir -p $(MATRIX)
	+@for s in $(SEEDS); do \
	  start=$$(date +%s); \
	  $(call matrix-make,$$s) matrix-seed || exit $$?; \
	  echo "seed $$s: $$(( $$(date +%s) - start )) s" >> $(MATRIX)/seconds.txt; \
	done
	$(BIN)/detect-eval compare --by-seed \
	  $(foreach s,$(SEEDS),$(foreach r,$(MATRIX_RUNS),--result $(r)@$(s)=$(MATRIX)/seed$(s)/eval-$(r).json)) \
	  --scatter $(MATRIX)/scatter.png > $(MATRIX)/table.md.tmp
	mv $(MATRIX)/table.md.tmp $(MATRIX)/table.md
	@cat $(MATRIX)/table.md
	@scripts/update-results-doc.sh $(RESULTS_DOC) $(MATRIX)/table.md "$(MATRIX_NAME):$(BLAS_KERNEL)"
	@cp $(MATRIX)/scatter.png docs/$(MATRIX_NAME)-$(BLAS_KERNEL).png
	@echo "ablation-matrix: $(MATRIX)/table.md, in $(RESULTS_DOC) ($(MATRIX_NAME):$(BLAS_KERNEL)), docs/$(MATRIX_NAME)-$(BLAS_KERNEL).png" >&2

# One seed's cells (run with seed S's variables by ablation-matrix).
matrix-seed: $(foreach r,$(MATRIX_RUNS),$(WORK)/eval-$(r).json)

# One cell, for the Slurm array: make matrix-cell CELL_SEED=S CELL=baseline/fit.done or
# CELL=eval-m-LOSS-MODE.json (pipelines/slurm/ablation-matrix.sbatch).
matrix-cell:
	+$(call matrix-make,$(CELL_SEED)) $(MATRIX)/seed$(CELL_SEED)/$(CELL)

.SECONDARY: $(foreach r,$(MATRIX_RUNS),$(WORK)/$(r)/detections.json $(WORK)/$(r)/fit.done)

# m-LOSS-MODE: the stem's first word is the loss, its last mfs or nomfs.
$(WORK)/m-%/fit.done: $(WORK)/baseline/fit.done $(CONFIGS)/$(PRESET)-loce.json $(CONFIG_FILES)
	$(BIN)/loce-finetune fit --config $(CONFIGS)/$(PRESET)-loce.json --from $(WORK)/baseline/checkpoint.safetensors \
	  --train $(SHARDS)/train --out $(WORK)/m-$* --loss $(firstword $(subst -, ,$*)) \
	  $(if $(filter nomfs,$(lastword $(subst -, ,$*))),--no-mfs) --seed $(SEED) $(call resume-in,$(WORK)/m-$*) $(TOOL_ARGS)
	touch $@
