# `make bench-prep`: convert images/s on coco128 (repeated to >= 1000 images) vs the plain
# libjpeg-turbo decode rate of the same files, measured in the same run (bench/prep/main.swift).
# Included by the root Makefile (which defines RELEASE and build). The full coco128 (COCO128=,
# default ../shared/data/coco128): when it is not there, the check says where to download it.

COCO128 ?= ../shared/data/coco128

.PHONY: bench-prep bench-prep-check-data

bench-prep: bench-prep-check-data build
	$(RELEASE)/bench-prep --coco128 $(COCO128) --images 1000

bench-prep-check-data:
	@CHECK_DATASET_TARGET=bench-prep scripts/check-dataset.sh coco128 "$(COCO128)/annotations/instances_train2017.json" "$(COCO128)/train2017/"
