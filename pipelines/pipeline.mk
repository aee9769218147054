# The default job: the stages chained with real file dependencies, so `make` re-runs only
# what is stale. Included by the root Makefile; every path and preset is a variable:
#
#   make pipeline PRESET=tiny WORK=work/tiny SEED=1 THREADS=2
#   make pipeline PRESET=smoke            (small data, seconds of training: the test run)
#   make pipeline MPIRUN="mpirun -np 2"   (training and predict across MPI ranks)
#
# Stages: synth -> prep (train/val shards) -> baseline (detect-train fit) -> loce
# (loce-finetune fit from the baseline) -> predict (both checkpoints) -> eval (both) ->
# results.json -> report (report/report.md: table, charts, PR curves, TIDE and the long-tail
# confusions of baseline and LOCE side by side, long tail, detections).

PRESET ?= tiny
WORK   ?= work/$(PRESET)
SEED   ?= 1
BIN    ?= $(RELEASE)
CONFIGS ?= pipelines/configs
# Presets build on others ("base"): a run depends on every preset file, so that an edit to
# a base (r50-fpn.json under tiny.json) re-runs what inherits it.
CONFIG_FILES = $(wildcard $(CONFIGS)/*.json $(CONFIGS)/parts/*.json)
DATA   ?= $(WORK)/data
SHARDS ?= $(WORK)/shards
# The annotation files and image root the chain reads. By default the synthetic dataset
# that the synth stage writes into DATA; the real-data recipes (lvis_v1.mk, ...) point them
# at existing files, and then there is no synth stage.
TRAIN_JSON ?= $(DATA)/lvis_v1_train.json
VAL_JSON   ?= $(DATA)/lvis_v1_val.json
IMAGES     ?= $(DATA)
PREP_ARGS  ?=
TOOL_ARGS = --threads $(THREADS)
# Both trainings and predict across MPI ranks: MPIRUN="mpirun -np 2" (empty: one process).
# The trainings then form their gradients with the exact sum (GRADIENT_SUM=exact: the same
# checkpoints at any rank count, so `make pipeline MPIRUN="mpirun -np 2"` gives the results of
# `make pipeline GRADIENT_SUM=exact`); each rank's threads are the tools' default (the cores
# shared by the ranks of a machine).
MPIRUN ?=
GRADIENT_SUM ?= $(if $(MPIRUN),exact)
FIT_ARGS = $(if $(GRADIENT_SUM),--gradient-sum $(GRADIENT_SUM))
RANK_ARGS = $(if $(MPIRUN),,$(TOOL_ARGS))

# Synthetic dataset size per preset (empty: lvis-prep's defaults, 2000 train / 500 val).
SYNTH_ARGS_smoke = --train-images 200 --val-images 100
SYNTH_ARGS ?= $(SYNTH_ARGS_$(PRESET))

MODELS = baseline loce

.PHONY: pipeline synth prep baseline loce predict eval report pipeline-check

pipeline: build $(WORK)/results.json $(WORK)/report/report.md
	@$(BIN)/detect-eval compare $(foreach m,$(MODELS),--result $(m)=$(WORK)/eval-$(m).json) $(TOOL_ARGS)
	@echo "results: $(WORK)/results.json (full summaries: $(WORK)/eval-*.txt)"
	@echo "report: $(WORK)/report/report.md"

synth: $(TRAIN_JSON) $(VAL_JSON)
prep: $(SHARDS)/train/manifest.json $(SHARDS)/val/manifest.json
baseline: $(WORK)/baseline/fit.done
loce: $(WORK)/loce/fit.done
predict: $(MODELS:%=$(WORK)/%/detections.json)
eval: $(MODELS:%=$(WORK)/eval-%.json)
report: $(WORK)/report/report.md

# Every tool writes its outputs atomically, so a file that exists is complete.
$(DATA)/lvis_v1_train.json: | build
	$(BIN)/lvis-prep synth --out $(DATA) --seed $(SEED) $(SYNTH_ARGS) $(TOOL_ARGS) > /dev/null
$(DATA)/lvis_v1_val.json: $(DATA)/lvis_v1_train.json

# convert-shards.sh: lvis-prep convert, going on (with a message) when it finished but skipped
# or repaired bad records (exit 2); PREP_ARGS=--strict stops at the first one instead.
$(SHARDS)/train/manifest.json: $(TRAIN_JSON)
	scripts/convert-shards.sh $(BIN)/lvis-prep --annotations $< --images $(IMAGES) --out $(SHARDS)/train --split train $(PREP_ARGS) $(TOOL_ARGS)
$(SHARDS)/val/manifest.json: $(VAL_JSON)
	scripts/convert-shards.sh $(BIN)/lvis-prep --annotations $< --images $(IMAGES) --out $(SHARDS)/val --split val $(PREP_ARGS) $(TOOL_ARGS)

# A training's target is the stamp DIR/fit.done, touched once the run has finished; the
# checkpoint is never a make target, so make does not delete it when the run is interrupted
# (Ctrl-C, SIGTERM: the tools first save the iteration they are on), and the next `make`
# continues the run from it (`resume-in DIR`: --resume when DIR holds a checkpoint).
resume-in = $(if $(wildcard $(1)/checkpoint.safetensors),--resume)

$(WORK)/baseline/fit.done: $(SHARDS)/train/manifest.json $(CONFIGS)/$(PRESET).json $(CONFIG_FILES)
	$(MPIRUN) $(BIN)/detect-train fit --config $(CONFIGS)/$(PRESET).json --train $(SHARDS)/train --out $(WORK)/baseline \
	  --seed $(SEED) $(FIT_ARGS) $(call resume-in,$(WORK)/baseline) $(RANK_ARGS)
	touch $@

$(WORK)/loce/fit.done: $(WORK)/baseline/fit.done $(CONFIGS)/$(PRESET)-loce.json $(CONFIG_FILES)
	$(MPIRUN) $(BIN)/loce-finetune fit --config $(CONFIGS)/$(PRESET)-loce.json --from $(WORK)/baseline/checkpoint.safetensors \
	  --train $(SHARDS)/train --out $(WORK)/loce --seed $(SEED) $(FIT_ARGS) $(call resume-in,$(WORK)/loce) $(RANK_ARGS)
	touch $@

$(WORK)/%/detections.json: $(WORK)/%/fit.done $(SHARDS)/val/manifest.json
	$(MPIRUN) $(BIN)/detect-train predict --checkpoint $(WORK)/$*/checkpoint.safetensors --data $(SHARDS)/val --out $@ $(RANK_ARGS)

# The text summary also carries the long-tail confusions (rare/common classes taken by frequent
# ones) and writes WORK/confusion-NAME.csv and .png (detect-eval --confusion), and TIDE's error
# breakdown for boxes and masks with its chart WORK/tide-NAME.png (--tide-plot).
$(WORK)/eval-%.json: $(WORK)/%/detections.json $(VAL_JSON)
	$(BIN)/detect-eval --gt $(VAL_JSON) --dt $< --iou-type both --confusion $(WORK)/confusion-$*.csv --tide-plot $(WORK)/tide-$*.png \
	  $(TOOL_ARGS) > $(WORK)/eval-$*.txt.tmp
	mv $(WORK)/eval-$*.txt.tmp $(WORK)/eval-$*.txt
	$(BIN)/detect-eval --gt $(VAL_JSON) --dt $< --iou-type both --json $(TOOL_ARGS) > $@.tmp
	mv $@.tmp $@

$(WORK)/results.json: $(MODELS:%=$(WORK)/eval-%.json)
	{ printf '{"baseline": '; cat $(WORK)/eval-baseline.json; printf ', "loce": '; cat $(WORK)/eval-loce.json; printf '}\n'; } > $@.tmp
	mv $@.tmp $@

# The report folder: results table, AP per frequency group, PR curves per model, TIDE and the
# long-tail confusions of the models side by side, the training set's long tail and a grid of
# drawn detections (detect-eval report). report.md is written last, so its existence means the
# PNGs beside it are complete.
$(WORK)/report/report.md: $(MODELS:%=$(WORK)/%/detections.json) $(VAL_JSON) $(TRAIN_JSON)
	$(BIN)/detect-eval report --gt $(VAL_JSON) --images $(IMAGES) --train-gt $(TRAIN_JSON) \
	  $(foreach m,$(MODELS),--model $(m)=$(WORK)/$(m)/detections.json) --out $(WORK)/report $(TOOL_ARGS) > /dev/null

# The end-to-end check `make test` runs: the smoke pipeline from scratch, then its outputs
# must exist and hold what each stage promises (the numbers of a smoke model are not
# asserted).
pipeline-check:
	rm -rf work/test-smoke
	$(MAKE) --no-print-directory pipeline PRESET=smoke WORK=work/test-smoke
	scripts/check-pipeline-outputs.sh work/test-smoke
