# Real data, LVIS v1: the paper's setting. Included by the root Makefile; it sets
# pipeline.mk's variables and runs its targets, so every stage is the default chain's:
#
#   make pipeline-lvis-v1                        (checks the data, builds, runs every stage)
#   make pipeline-lvis-v1 LVIS_ROOT=/data/lvis COCO_ROOT=/data/coco THREADS=32
#   make lvis-v1-prep                            (one stage: prep baseline loce predict eval)
#
# Expected layout (the official downloads unzipped; `make lvis-v1-check-data` lists what is
# missing and where to get it):
#   LVIS_ROOT/annotations/lvis_v1_train.json, LVIS_ROOT/annotations/lvis_v1_val.json
#   COCO_ROOT/train2017/*.jpg, COCO_ROOT/val2017/*.jpg   (LVIS v1 images found via coco_url)
#   work/pretrained/resnet50.safetensors                 (r50-fpn: ImageNet ResNet-50, see
#                                                         scripts/convert_torchvision_resnet50.py)
# The r50-fpn preset is the paper's schedule (24 + 6 epochs of 16-image batches at
# 640-800 x 1333): CPU-weeks; run its stages under a job scheduler (pipelines/slurm/).

# LVIS_ROOT / COCO_ROOT are shared with lvis_v0.5.mk; each recipe has its own default.
LVIS_V1_ROOT      = $(or $(LVIS_ROOT),data/lvis_v1)
LVIS_V1_COCO_ROOT = $(or $(COCO_ROOT),data/coco)
LVIS_V1_PRESET    ?= r50-fpn
LVIS_V1_WORK      ?= work/lvis_v1
# Shards at the preset's largest training scale (pipeline.mk's PREP_ARGS).
LVIS_V1_PREP_ARGS ?= --max-size 800,1333
R50_WEIGHTS       ?= work/pretrained/resnet50.safetensors

LVIS_V1_VARS = PRESET=$(LVIS_V1_PRESET) WORK=$(LVIS_V1_WORK) IMAGES=$(LVIS_V1_COCO_ROOT) \
  TRAIN_JSON=$(LVIS_V1_ROOT)/annotations/lvis_v1_train.json VAL_JSON=$(LVIS_V1_ROOT)/annotations/lvis_v1_val.json \
  PREP_ARGS='$(LVIS_V1_PREP_ARGS)'

.PHONY: pipeline-lvis-v1 lvis-v1-check-data lvis-v1-prep lvis-v1-baseline lvis-v1-loce lvis-v1-predict lvis-v1-eval

lvis-v1-check-data:
	@scripts/check-dataset.sh lvis-v1 $(LVIS_V1_ROOT) $(LVIS_V1_COCO_ROOT) $(if $(filter r50-fpn,$(LVIS_V1_PRESET)),$(R50_WEIGHTS))

pipeline-lvis-v1: lvis-v1-check-data
	$(MAKE) --no-print-directory pipeline $(LVIS_V1_VARS)

lvis-v1-prep lvis-v1-baseline lvis-v1-loce lvis-v1-predict lvis-v1-eval: lvis-v1-check-data
	$(MAKE) --no-print-directory $(@:lvis-v1-%=%) $(LVIS_V1_VARS)
