# Real photos: fit the `tiny` architecture to the 128 COCO images of ../shared/data/coco128
# and check that it learned them. Included by the root Makefile. Not in the repository (the
# tests use four of its photos, Tests/Fixtures/coco128-subset): when it is missing, the first
# stage (scripts/check-dataset.sh) says where to download it.
#
#   make pipeline-coco128 THREADS=2                      (full schedule: about 15 min on 2 cores)
#   make pipeline-coco128 COCO128_ITERATIONS=20          (a quick run of the same chain)
#
# Stages (files under COCO128_WORK): shards/ (lvis-prep convert of the COCO json, resized to
# the training scale) -> model/checkpoint.safetensors (detect-train fit, config
# pipelines/configs/coco128.json: tiny's network, one scale, no flip, 1600 iterations of 4
# images = 50 epochs) -> detections.json (detect-train predict on the same images) ->
# eval.json / eval.txt (detect-eval, COCO style, box and mask) -> the check: box AP50 must
# reach COCO128_MIN_AP50 (0.5), else the target fails (exit 2 from make) naming the number.
#
# COCO category ids are not contiguous (1..90 with gaps): lvis-prep keeps the json's ids in
# the manifest and predict writes them back, so detect-eval scores against the original json.

COCO128            ?= ../shared/data/coco128
COCO128_JSON       ?= $(COCO128)/annotations/instances_train2017.json
COCO128_IMAGES     ?= $(COCO128)/train2017
COCO128_CONFIG     ?= pipelines/configs/coco128.json
# Stop training after this many iterations (empty: the config's whole schedule).
COCO128_ITERATIONS ?= $(ITERATIONS)
# A shortened run gets its own folder, so it never stands in for the full schedule's model.
COCO128_WORK       ?= work/coco128$(if $(COCO128_ITERATIONS),-it$(COCO128_ITERATIONS))
COCO128_MIN_AP50   ?= 0.5
COCO128_MAX_SIZE   ?= 256,384

.PHONY: pipeline-coco128 coco128-check-data coco128-prep coco128-train coco128-predict coco128-eval

pipeline-coco128: $(COCO128_WORK)/eval.json
	@cat $(COCO128_WORK)/eval.txt
	@scripts/check-ap50.sh $(COCO128_WORK)/eval.json $(COCO128_MIN_AP50)

coco128-prep: $(COCO128_WORK)/shards/manifest.json
coco128-train: $(COCO128_WORK)/model/fit.done
coco128-predict: $(COCO128_WORK)/detections.json
coco128-eval: $(COCO128_WORK)/eval.json

coco128-check-data:
	@scripts/check-dataset.sh coco128 "$(COCO128_JSON)" "$(COCO128_IMAGES)/"

# The tools are built first (as by `make pipeline`) unless BIN points elsewhere.
$(COCO128_WORK)/shards/manifest.json: | coco128-check-data $(if $(filter $(RELEASE),$(BIN)),build)
	scripts/convert-shards.sh $(BIN)/lvis-prep --annotations $(COCO128_JSON) --images $(COCO128_IMAGES) --out $(COCO128_WORK)/shards \
	  --split train --max-size $(COCO128_MAX_SIZE) $(TOOL_ARGS)

# The fit.done stamp, as in pipeline.mk: an interrupted training resumes on the next run.
$(COCO128_WORK)/model/fit.done: $(COCO128_WORK)/shards/manifest.json $(COCO128_CONFIG) $(CONFIG_FILES)
	$(BIN)/detect-train fit --config $(COCO128_CONFIG) --train $(COCO128_WORK)/shards --out $(COCO128_WORK)/model \
	  --seed $(SEED) $(if $(COCO128_ITERATIONS),--iterations $(COCO128_ITERATIONS)) $(call resume-in,$(COCO128_WORK)/model) $(TOOL_ARGS)
	touch $@

$(COCO128_WORK)/detections.json: $(COCO128_WORK)/model/fit.done
	$(BIN)/detect-train predict --checkpoint $(COCO128_WORK)/model/checkpoint.safetensors --data $(COCO128_WORK)/shards --out $@ $(TOOL_ARGS)

$(COCO128_WORK)/eval.json: $(COCO128_WORK)/detections.json
	$(BIN)/detect-eval --gt $(COCO128_JSON) --dt $< --iou-type both --style coco $(TOOL_ARGS) > $(COCO128_WORK)/eval.txt.tmp
	mv $(COCO128_WORK)/eval.txt.tmp $(COCO128_WORK)/eval.txt
	$(BIN)/detect-eval --gt $(COCO128_JSON) --dt $< --iou-type both --style coco --json $(TOOL_ARGS) > $@.tmp
	mv $@.tmp $@
