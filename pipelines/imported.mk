# `make imported`: LOCE from an imported stage-1 model (issue 22's workflow: stage 1 from
# another framework, stage 2 ours), checked on a model whose numbers we know. The pipeline's
# own stage-1 checkpoint goes out as an mmdetection 2.x `.pth` (scripts/export_mmdet_checkpoint.py,
# needs Python with torch) and comes back through `detect-train import --format mmdet`; then
# `loce-finetune fit --from` the imported model, predict and evaluate both, as the pipeline does:
#
#   imported-baseline  the exported-and-imported stage 1 (its settings from the preset: --config)
#   imported-loce      LOCE fine-tuned from it (the preset's *-loce schedule, same seed)
#
# The import is exact when the evaluations equal those of `baseline` and `loce` byte for byte;
# the target says whether they do. Same WORK as the pipeline (its baseline is not retrained).
#
#   make imported                  (PRESET=tiny, WORK=work/tiny; runs the pipeline's stages it needs)

IMPORTED_MODELS = imported-baseline imported-loce
PYTHON ?= python3

.PHONY: imported
.SECONDARY: $(IMPORTED_MODELS:%=$(WORK)/%/detections.json)

imported: build $(foreach m,baseline loce $(IMPORTED_MODELS),$(WORK)/eval-$(m).json)
	@$(BIN)/detect-eval compare $(foreach m,baseline imported-baseline loce imported-loce,--result $(m)=$(WORK)/eval-$(m).json) $(TOOL_ARGS)
	@for m in baseline loce; do \
	  if cmp -s $(WORK)/eval-$$m.json $(WORK)/eval-imported-$$m.json; then echo "imported-$$m: the same evaluation as $$m, byte for byte"; \
	  else echo "imported-$$m: differs from $$m (diff $(WORK)/eval-$$m.json $(WORK)/eval-imported-$$m.json)"; exit 1; fi; done

$(WORK)/imported-baseline/stage1.pth: $(WORK)/baseline/fit.done
	@mkdir -p $(@D)
	$(PYTHON) scripts/export_mmdet_checkpoint.py $(WORK)/baseline/checkpoint.safetensors $@.tmp
	mv $@.tmp $@

# The import is this model's "training": the pattern rules of pipeline.mk predict and evaluate it.
$(WORK)/imported-baseline/fit.done: $(WORK)/imported-baseline/stage1.pth $(CONFIGS)/$(PRESET).json $(CONFIG_FILES) $(TRAIN_JSON)
	$(BIN)/detect-train import --from $< --format mmdet --config $(CONFIGS)/$(PRESET).json --categories $(TRAIN_JSON) \
	  --out $(WORK)/imported-baseline/checkpoint.safetensors --config-out $(WORK)/imported-baseline/config.json $(TOOL_ARGS)
	touch $@

$(WORK)/imported-loce/fit.done: $(WORK)/imported-baseline/fit.done $(CONFIGS)/$(PRESET)-loce.json $(CONFIG_FILES)
	$(BIN)/loce-finetune fit --config $(CONFIGS)/$(PRESET)-loce.json --from $(WORK)/imported-baseline/checkpoint.safetensors \
	  --train $(SHARDS)/train --out $(WORK)/imported-loce --seed $(SEED) $(call resume-in,$(WORK)/imported-loce) $(TOOL_ARGS)
	touch $@
