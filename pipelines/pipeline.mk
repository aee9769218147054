# The default job: the stages chained with real file dependencies, so `make` re-runs only
# what is stale. Included by the root Makefile; every path and preset is a variable.
#
# Stages that exist so far run; the chain synth -> prep -> baseline -> loce -> predict ->
# eval -> report is completed as the tools land (issue "Pipelines").

PRESET ?= tiny
WORK   ?= work/$(PRESET)
BIN    ?= $(RELEASE)

.PHONY: pipeline

pipeline: build
	@mkdir -p $(WORK)
	@for tool in lvis-prep detect-train loce-finetune detect-eval; do \
	  $(BIN)/$$tool --version | head -2; done
