# Real data, LVIS v0.5 (the earlier release, also reported in long-tail papers). Included by
# the root Makefile; it sets pipeline.mk's variables and runs its targets, so every stage is
# the default chain's:
#
#   make pipeline-lvis-v0.5                        (checks the data, builds, runs every stage)
#   make pipeline-lvis-v0.5 LVIS_ROOT=/data/lvis COCO_ROOT=/data/coco THREADS=32
#   make lvis-v0.5-prep                            (one stage: prep baseline loce predict eval)
#
# Expected layout (the official downloads unzipped; `make lvis-v0.5-check-data` lists what is
# missing and where to get it):
#   LVIS_ROOT/annotations/lvis_v0.5_train.json, LVIS_ROOT/annotations/lvis_v0.5_val.json
#   COCO_ROOT/train2017/*.jpg, COCO_ROOT/val2017/*.jpg   (LVIS v0.5 images found by file_name)
#   work/pretrained/resnet50.safetensors                 (r50-fpn: ImageNet ResNet-50, see
#                                                         scripts/convert_torchvision_resnet50.py)
# The r50-fpn preset is the paper's schedule (24 + 6 epochs of 16-image batches at
# 640-800 x 1333): CPU-weeks; run its stages under a job scheduler (pipelines/slurm/).

# LVIS_ROOT / COCO_ROOT are shared with lvis_v1.mk; each recipe has its own default.
LVIS_V05_ROOT      = $(or $(LVIS_ROOT),data/lvis_v0.5)
LVIS_V05_COCO_ROOT = $(or $(COCO_ROOT),data/coco)
LVIS_V05_PRESET    ?= r50-fpn
LVIS_V05_WORK      ?= work/lvis_v0.5
# Shards at the preset's largest training scale (pipeline.mk's PREP_ARGS).
LVIS_V05_PREP_ARGS ?= --max-size 800,1333
R50_WEIGHTS        ?= work/pretrained/resnet50.safetensors

LVIS_V05_VARS = PRESET=$(LVIS_V05_PRESET) WORK=$(LVIS_V05_WORK) IMAGES=$(LVIS_V05_COCO_ROOT) \
  TRAIN_JSON=$(LVIS_V05_ROOT)/annotations/lvis_v0.5_train.json VAL_JSON=$(LVIS_V05_ROOT)/annotations/lvis_v0.5_val.json \
  PREP_ARGS='$(LVIS_V05_PREP_ARGS)'

.PHONY: pipeline-lvis-v0.5 lvis-v0.5-check-data lvis-v0.5-prep lvis-v0.5-baseline lvis-v0.5-loce lvis-v0.5-predict lvis-v0.5-eval

lvis-v0.5-check-data:
	@scripts/check-dataset.sh lvis-v0.5 $(LVIS_V05_ROOT) $(LVIS_V05_COCO_ROOT) $(if $(filter r50-fpn,$(LVIS_V05_PRESET)),$(R50_WEIGHTS))

pipeline-lvis-v0.5: lvis-v0.5-check-data
	$(MAKE) --no-print-directory pipeline $(LVIS_V05_VARS)

lvis-v0.5-prep lvis-v0.5-baseline lvis-v0.5-loce lvis-v0.5-predict lvis-v0.5-eval: lvis-v0.5-check-data
	$(MAKE) --no-print-directory $(@:lvis-v0.5-%=%) $(LVIS_V05_VARS)
