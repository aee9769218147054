// The category-balanced warm-up pass before fine-tuning (docs/method.md §Warm-up pass): for
// every category, 5 images that contain it (repeated when fewer exist), run through the
// training forward with the LOCE hook so the queues fill and s warms up: forward only (no loss
// gradients, no backward, no optimiser step). The images are chosen by
// `balancedWarmupSelection` with stream 3 of the seed.
import SharedSupport
import SharedTensor
import SharedData
import SharedDetection

extension LOCEFinetuner {
    /// Runs the warm-up pass; returns the number of images it ran. A stop request ends it
    /// between batches (with nothing saved: the run has no iteration yet).
    ///
    /// `perImage` (the exact gradient sum, across MPI ranks) replaces the batched forward of
    /// warm-up batch `number`: it runs the rank's images of that batch one by one and merges
    /// every rank's changes (`LOCEFinetuneStage.exactWarmupBatch`).
    func warmup(model: MaskRCNN, hook: LOCEBoxLoss, settings: TrainingSettings, context: ModuleContext,
                sampling: inout SeededRandom, stopRequested: @Sendable () -> Int32?,
                perImage: ((_ number: Int, _ batches: TrainingBatches) throws -> Void)? = nil) throws -> Int {
        var imageCategories: [[Int]] = []
        try dataset.forEach { _, record in
            imageCategories.append(record.instances.filter { !$0.isCrowd }.map(\.classIndex.rawValue))
        }
        var random = SeededRandom(seed: config.seed, stream: 3)
        let entries = balancedWarmupSelection(imageCategories: imageCategories, classCount: config.classCount,
                                              imagesPerCategory: loce.warmupImagesPerCategory, random: &random)
        let covered = Set(entries.map(\.classIndex)).count
        if covered < config.classCount {
            logger.warning("warm-up: \(config.classCount - covered) categories have no training image; their queues stay empty")
        }
        // The training pipeline (multi-scale, flip) over the list; the last batch is completed
        // from the list's start. Augmentation draws use seed + 1 (not the training run's).
        let images = entries.map(\.imageIndex), batchSize = config.solver.imagesPerBatch
        let batches = TrainingBatches(dataset: dataset, stream: EpochStream(batchSize: batchSize, order: { _ in images }),
                                      settings: LoaderSettings(config: config.input), seed: config.seed &+ 1)
        let batchCount = (images.count + batchSize - 1) / batchSize
        let progress = ProgressBar(label: "warm-up", total: batchCount * batchSize, unit: "img", logger: logger)
        for number in 0..<batchCount {
            if let perImage {
                try perImage(number, batches)
            } else {
                let batch = try batches.batch(iteration: number)
                try BatchTargets.requireFiniteTargets(batch, shards: dataset.directory)
                let (targets, _) = BatchTargets.targets(batch)
                Self.warmupForward(model: model, images: BatchTargets.imageTensor(batch), targets: targets, settings: settings,
                                   context: context, random: &sampling, hook: hook)
            }
            progress.advance(by: batchSize, status: "")
            if number + 1 < batchCount, let signal = stopRequested() {
                progress.finish()
                throw ToolError("stopped by \(StopSignals.name(signal)) during the warm-up pass, before the first iteration: "
                                + "nothing was saved", hint: "start the run again (without --resume)",
                                exitCode: ToolExitCode(stoppedBy: signal))
            }
        }
        progress.finish()
        let filled = hook.memory.map { m in m.counts.filter { $0 == m.capacity }.count }
        logger.info("warm-up: \(entries.count) images over \(covered) categories"
                    + (filled.map { "; \($0) of \(config.classCount) queues full" } ?? ""))
        return entries.count
    }

    /// The training forward up to the box classifier (backbone, FPN, RPN, `MaskRCNN.sampledRoIs`,
    /// `MaskRCNN.boxForward` with the hook's memory rows), then the hook's mean-score update
    /// alone: the jittered features enter the memory and s takes this pass's observations;
    /// nothing else changes (no loss, so no loss state moves either).
    static func warmupForward(model: MaskRCNN, images: Tensor, targets: [TrainingImageTargets], settings: TrainingSettings,
                              context: ModuleContext, random: inout SeededRandom, hook: LOCEBoxLoss) {
        let (features, _) = model.backbone.forward(images, context: context)
        let (levels, _) = model.fpn.forward(features, context: context)
        let (rpn, _) = model.rpnHead.forward(levels, context: context)
        let sampled = model.sampledRoIs(rpn, targets: targets, settings: settings, context: context, random: &random)
        let box = model.boxForward(levels: levels, roiTargets: sampled, targets: targets, settings: settings, context: context,
                                   extension: hook)
        box.logits.withUnsafeBufferPointer {
            hook.observeScores(logits: $0, labels: box.labels, roiTargets: sampled, extraRowStart: box.roiCount)
        }
    }
}
