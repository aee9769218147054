# `make ablation`: what each part of LOCE contributes, on the pipeline's data and from the
# pipeline's own baseline checkpoint (same WORK, so the baseline and LOCE rows are the
# `make pipeline` runs, not retrained). Every fine-tune uses the preset's *-loce schedule:
#
#   baseline  stage 1 (detect-train fit, uniform sampling)
#   ce        fine-tune with plain cross-entropy, no memory (control: the extra training alone)
#   ebl       Equilibrium Loss only (--no-mfs)
#   mfs       memory-augmented feature sampling only (--no-ebl)
#   loce      EBL + MFS
#   rfs       stage 1 with repeat-factor sampling (detect-train fit --sampler rfs), the usual
#             LVIS baseline
#
# Each model is predicted and evaluated by the pipeline's pattern rules (WORK/NAME/...,
# WORK/eval-NAME.json). Outputs: WORK/ablation/results.json ({"baseline": {"bbox": …,
# "segm": …}, "ce": …}, each object as `detect-eval --json` prints it), WORK/ablation/table.md
# and WORK/ablation/chart.png (AP per frequency group); then the table and chart are copied
# into docs/results.md (between its ablation markers for this preset and OpenBLAS kernel) and
# docs/ablation-PRESET-KERNEL.png.
#
#   make ablation                  (PRESET=tiny, WORK=work/tiny; run `make pipeline` first or not)
#   make -j2 ablation THREADS=1    (two runs at a time on two cores)

ABLATION_MODELS = baseline ce ebl mfs loce rfs
ABLATION = $(WORK)/ablation
RESULTS_DOC ?= docs/results.md
# The table's place in RESULTS_DOC is per preset and per OpenBLAS kernel (SkylakeX on AVX-512,
# Haswell on AVX2, ...): kernels round differently, so each has its own numbers.
BLAS_KERNEL = $(shell $(BIN)/detect-train --version | sed -n 's/.*kernel \([A-Za-z0-9]*\).*/\1/p')

.PHONY: ablation

ablation: build $(ABLATION)/results.json
	@cat $(ABLATION)/table.md
	@scripts/update-results-doc.sh $(RESULTS_DOC) $(ABLATION)/table.md "$(PRESET):$(BLAS_KERNEL)"
	@cp $(ABLATION)/chart.png docs/ablation-$(PRESET)-$(BLAS_KERNEL).png
	@echo "ablation: $(ABLATION)/results.json, table in $(RESULTS_DOC) ($(PRESET):$(BLAS_KERNEL)), chart docs/ablation-$(PRESET)-$(BLAS_KERNEL).png" >&2

# Keep every model's detections (make would delete them as intermediates of the eval rule).
.SECONDARY: $(ABLATION_MODELS:%=$(WORK)/%/detections.json)

FINETUNE_SWITCHES_ce  = --no-ebl --no-mfs
FINETUNE_SWITCHES_ebl = --no-mfs
FINETUNE_SWITCHES_mfs = --no-ebl

# Training targets are fit.done stamps, as in pipeline.mk (interrupted runs resume).
$(WORK)/ce/fit.done $(WORK)/ebl/fit.done $(WORK)/mfs/fit.done: \
  $(WORK)/%/fit.done: $(WORK)/baseline/fit.done $(CONFIGS)/$(PRESET)-loce.json $(CONFIG_FILES)
	$(BIN)/loce-finetune fit --config $(CONFIGS)/$(PRESET)-loce.json --from $(WORK)/baseline/checkpoint.safetensors \
	  --train $(SHARDS)/train --out $(WORK)/$* $(FINETUNE_SWITCHES_$*) --seed $(SEED) $(call resume-in,$(WORK)/$*) $(TOOL_ARGS)
	touch $@

$(WORK)/rfs/fit.done: $(SHARDS)/train/manifest.json $(CONFIGS)/$(PRESET).json $(CONFIG_FILES)
	$(BIN)/detect-train fit --config $(CONFIGS)/$(PRESET).json --train $(SHARDS)/train --out $(WORK)/rfs \
	  --sampler rfs --seed $(SEED) $(call resume-in,$(WORK)/rfs) $(TOOL_ARGS)
	touch $@

$(ABLATION)/results.json: $(ABLATION_MODELS:%=$(WORK)/eval-%.json)
	@mkdir -p $(ABLATION)
	$(BIN)/detect-eval compare $(foreach m,$(ABLATION_MODELS),--result $(m)=$(WORK)/eval-$(m).json) \
	  --chart $(ABLATION)/chart.png > $(ABLATION)/table.md.tmp
	mv $(ABLATION)/table.md.tmp $(ABLATION)/table.md
	{ sep='{'; for m in $(ABLATION_MODELS); do printf '%s"%s": ' "$$sep" "$$m"; cat $(WORK)/eval-$$m.json; sep=', '; done; printf '}\n'; } > $@.tmp
	mv $@.tmp $@
