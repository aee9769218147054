# `make bench-prep`: convert images/s on coco128 (repeated to >= 1000 images) vs the plain
# libjpeg-turbo decode rate of the same files, measured in the same run (bench/prep/main.swift).
# Included by the root Makefile (which defines RELEASE and build).

COCO128 ?= ../shared/data/coco128

.PHONY: bench-prep

bench-prep: build
	$(RELEASE)/bench-prep --coco128 $(COCO128) --images 1000
