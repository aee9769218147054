# The paper's released LVIS v1 models (fcjian/LOCE README, "Models") evaluated here: import each
# .pth, predict over LVIS v1 val, evaluate box and mask AP (LVIS style) and set the numbers
# beside the published ones. Included by the root Makefile:
#
#   make eval-released-lvis-v1                        (checks the files, builds, runs every stage)
#   make eval-released-lvis-v1 RELEASED_MODELS=loce-r50 LVIS_ROOT=/data/lvis COCO_ROOT=/data/coco THREADS=32
#   make released-lvis-v1-check                       (only the check: lists every missing file)
#
# Files (RELEASED_DIR, LVIS_ROOT and COCO_ROOT as in lvis_v1.mk; the check says where to get each):
#   RELEASED_DIR/loce_mask_rcnn_r50_fpn_normed_mask_mstrain_2x_lvis_v1.pth     (loce-r50)
#   RELEASED_DIR/loce_mask_rcnn_r101_fpn_normed_mask_mstrain_2x_lvis_v1.pth    (loce-r101)
#   LVIS_ROOT/annotations/lvis_v1_val.json, COCO_ROOT/train2017/*.jpg, COCO_ROOT/val2017/*.jpg
#
# Stages (files under RELEASED_WORK): shards/val (lvis-prep convert, the JPEG bytes kept, so
# predict resizes the original pixels to 800 x 1333 as mmdetection does) -> NAME/model.safetensors
# (detect-train import) -> NAME/parts/part-I.json (detect-train predict, RELEASED_PIECES pieces:
# an interrupted run redoes one piece; `make -j` runs pieces side by side) -> NAME/detections.json
# (merge-predictions) -> NAME/eval.json, eval.txt (detect-eval) -> results.md (both tables).

RELEASED_DIR          ?= work/released
RELEASED_WORK         ?= work/released-lvis-v1
RELEASED_MODELS       ?= loce-r50 loce-r101
RELEASED_VAL_JSON     ?= $(LVIS_V1_ROOT)/annotations/lvis_v1_val.json
RELEASED_IMAGES       ?= $(LVIS_V1_COCO_ROOT)
# The folders the check wants images in (LVIS v1 val's images come from both COCO splits).
RELEASED_IMAGE_DIRS   ?= $(RELEASED_IMAGES)/train2017 $(RELEASED_IMAGES)/val2017
RELEASED_PIECES       ?= 20
RELEASED_PREP_ARGS    ?=
RELEASED_IMPORT_ARGS  ?= --mask-classifier normed
RELEASED_PREDICT_ARGS ?=

# Per model: the .pth (saved under this name), where to download it, and the published
# box AP / mask AP (fcjian/LOCE README; "-": none published). The stage-1 models
# (mask-rcnn-r50, mask-rcnn-r101) are the ones LOCE fine-tunes from.
RELEASED_PTH_loce-r50        ?= $(RELEASED_DIR)/loce_mask_rcnn_r50_fpn_normed_mask_mstrain_2x_lvis_v1.pth
RELEASED_URL_loce-r50        ?= https://drive.google.com/file/d/138D2IVc5Z4x1JAKA2WmRf1yhHbxd8Hvk/view?usp=sharing
RELEASED_PUBLISHED_loce-r50  ?= 27.4 26.6
RELEASED_PTH_loce-r101       ?= $(RELEASED_DIR)/loce_mask_rcnn_r101_fpn_normed_mask_mstrain_2x_lvis_v1.pth
RELEASED_URL_loce-r101       ?= https://drive.google.com/file/d/1lJExnD450fJobXFnS7StO95ohoFshjxW/view?usp=sharing
RELEASED_PUBLISHED_loce-r101 ?= 29.0 28.0
RELEASED_PTH_mask-rcnn-r50   ?= $(RELEASED_DIR)/mask_rcnn_r50_fpn_normed_mask_mstrain_2x_lvis_v1.pth
RELEASED_URL_mask-rcnn-r50   ?= https://drive.google.com/file/d/14Uwif11F-0scNiIwucZP2VTG9TiO-aSS/view?usp=sharing
RELEASED_PTH_mask-rcnn-r101  ?= $(RELEASED_DIR)/mask_rcnn_r101_fpn_normed_mask_mstrain_2x_lvis_v1.pth
RELEASED_URL_mask-rcnn-r101  ?= https://drive.google.com/file/d/1JSjCYAvmT8G5G24Lo0lw5LWdTCMI9wea/view?usp=sharing

# Any other NAME in RELEASED_MODELS is RELEASED_DIR/NAME.pth (or RELEASED_PTH_NAME).
released-pth = $(or $(RELEASED_PTH_$(1)),$(RELEASED_DIR)/$(1).pth)
released-published = $(or $(RELEASED_PUBLISHED_$(1)),- -)
released-parts = $(foreach i,$(shell seq 0 $$(($(RELEASED_PIECES) - 1))),$(RELEASED_WORK)/$(1)/parts/part-$(i).json)

.PHONY: eval-released-lvis-v1 released-lvis-v1-check released-lvis-v1-dry-run

released-lvis-v1-check:
	@CHECK_DATASET_TARGET=eval-released-lvis-v1 scripts/check-dataset.sh released-lvis-v1 "$(RELEASED_VAL_JSON)" \
	  "$(RELEASED_IMAGE_DIRS)" $(foreach m,$(RELEASED_MODELS),"$(call released-pth,$(m))=$(or $(RELEASED_URL_$(m)),(no download link known))")

eval-released-lvis-v1: released-lvis-v1-check
	@$(MAKE) --no-print-directory $(RELEASED_WORK)/results.md
	@cat $(RELEASED_WORK)/results.md

# The tools are built first (as by `make pipeline`) unless BIN points elsewhere.
$(RELEASED_WORK)/shards/val/manifest.json: $(RELEASED_VAL_JSON) | $(if $(filter $(RELEASED),$(BIN)),build)
	scripts/convert-shards.sh $(BIN)/lvis-prep --annotations $(RELEASED_VAL_JSON) --images $(RELEASED_IMAGES) \
	  --out $(RELEASED_WORK)/shards/val --split val $(RELEASED_PREP_ARGS) $(TOOL_ARGS)

# Per model: import (the class table is the val json's categories, checked against the names
# the .pth stores), the predict pieces, their merge.
define released-model-rules
$(RELEASED_WORK)/$(1)/model.safetensors: $(call released-pth,$(1)) | $(if $(filter $(RELEASED),$(BIN)),build)
	mkdir -p $$(@D)
	$(BIN)/detect-train import --from $$< --format mmdet --categories $(RELEASED_VAL_JSON) $(RELEASED_IMPORT_ARGS) \
	  --out $$@ --config-out $$(@D)/config.json $(TOOL_ARGS)
$(call released-parts,$(1)): $(RELEASED_WORK)/$(1)/parts/part-%.json: $(RELEASED_WORK)/$(1)/model.safetensors $(RELEASED_WORK)/shards/val/manifest.json
	mkdir -p $$(@D)
	$(BIN)/detect-train predict --checkpoint $$< --data $(RELEASED_WORK)/shards/val --num-shards $(RELEASED_PIECES) --shard-index $$* \
	  --out $$@ $(RELEASED_PREDICT_ARGS) $(TOOL_ARGS)
$(RELEASED_WORK)/$(1)/detections.json: $(call released-parts,$(1))
	$(BIN)/detect-train merge-predictions --out $$@ $$^ --quiet
endef
$(foreach m,$(RELEASED_MODELS),$(eval $(call released-model-rules,$(m))))

$(RELEASED_WORK)/%/eval.json: $(RELEASED_WORK)/%/detections.json $(RELEASED_VAL_JSON)
	$(BIN)/detect-eval --gt $(RELEASED_VAL_JSON) --dt $< --iou-type both $(TOOL_ARGS) > $(@D)/eval.txt.tmp
	mv $(@D)/eval.txt.tmp $(@D)/eval.txt
	$(BIN)/detect-eval --gt $(RELEASED_VAL_JSON) --dt $< --iou-type both --json $(TOOL_ARGS) > $@.tmp
	mv $@.tmp $@

# Our table (detect-eval compare: AP, APr, APc, APf), then box and mask AP against the published.
$(RELEASED_WORK)/results.md: $(RELEASED_MODELS:%=$(RELEASED_WORK)/%/eval.json)
	{ $(BIN)/detect-eval compare $(foreach m,$(RELEASED_MODELS),--result $(m)=$(RELEASED_WORK)/$(m)/eval.json) $(TOOL_ARGS) && echo && \
	  scripts/compare-published.sh $(foreach m,$(RELEASED_MODELS),$(m)=$(RELEASED_WORK)/$(m)/eval.json $(call released-published,$(m))); } > $@.tmp
	mv $@.tmp $@

# The whole chain on stand-ins, for `make test`: the tiny mmdetection-layout fixture as the model,
# the 4 COCO photos of Tests/Fixtures/coco128-subset as "val" (COCO style: no APr/APc/APf; score
# threshold 0, as the random tiny model scores low). The missing-file listing is checked by
# scripts/check-recipes.sh.
RELEASED_DRY_WORK = work/test-released
RELEASED_DRY_SUBSET = Tests/Fixtures/coco128-subset
released-lvis-v1-dry-run:
	rm -rf $(RELEASED_DRY_WORK)
	$(MAKE) --no-print-directory eval-released-lvis-v1 RELEASED_WORK=$(RELEASED_DRY_WORK) RELEASED_MODELS=tiny RELEASED_PIECES=3 \
	  RELEASED_PTH_tiny=Tests/EndToEndTests/Fixtures/import/tiny_mmdet.pth RELEASED_PUBLISHED_tiny="0.0 0.0" \
	  RELEASED_VAL_JSON=$(RELEASED_DRY_SUBSET)/annotations/instances_train2017.json RELEASED_IMAGES=$(RELEASED_DRY_SUBSET)/train2017 \
	  RELEASED_IMAGE_DIRS=$(RELEASED_DRY_SUBSET)/train2017 RELEASED_IMPORT_ARGS= RELEASED_PREDICT_ARGS="--set test.scoreThreshold=0"
	test -s $(RELEASED_DRY_WORK)/tiny/model.safetensors && test -s $(RELEASED_DRY_WORK)/tiny/parts/part-2.json
	grep -q '^| tiny .* 0.0 ' $(RELEASED_DRY_WORK)/results.md
