# The default job: the stages chained with real file dependencies, so `make` re-runs only
# what is stale. Included by the root Makefile; every path and preset is a variable:
#
#   make pipeline PRESET=tiny WORK=work/tiny SEED=1 THREADS=2
#
# Stages so far: synth -> prep (train and val shards) -> inspect. The chain goes on with
# baseline -> loce -> predict -> eval -> report as those tools land (issue "Pipelines").

PRESET ?= tiny
WORK   ?= work/$(PRESET)
SEED   ?= 1
BIN    ?= $(RELEASE)
DATA   ?= $(WORK)/data
SHARDS ?= $(WORK)/shards
# Synthetic dataset size; empty means lvis-prep's defaults.
SYNTH_ARGS ?=
TOOL_ARGS = --threads $(THREADS)

.PHONY: pipeline synth prep

pipeline: build prep
	$(BIN)/lvis-prep inspect $(SHARDS)/train
	$(BIN)/lvis-prep inspect $(SHARDS)/val
	@echo "pipeline: shards ready in $(SHARDS) (training stages are not wired in yet)" >&2

synth: $(DATA)/lvis_v1_train.json
prep: $(SHARDS)/train/manifest.json $(SHARDS)/val/manifest.json

# lvis-prep writes every output atomically, so a file that exists is complete.
$(DATA)/lvis_v1_train.json: | build
	$(BIN)/lvis-prep synth --out $(DATA) --seed $(SEED) $(SYNTH_ARGS) $(TOOL_ARGS) > /dev/null
$(DATA)/lvis_v1_val.json: $(DATA)/lvis_v1_train.json

$(SHARDS)/%/manifest.json: $(DATA)/lvis_v1_%.json
	$(BIN)/lvis-prep convert --annotations $< --images $(DATA) --out $(SHARDS)/$* --split $* $(TOOL_ARGS)
