// The iterations of a `FitLoop` run, start..<end: batch, step, log, checkpoint, validation
// (`FitValidation`, with OUT/best.safetensors), stop.
import Foundation
import SharedSupport
import SharedTensor
import SharedNN
import SharedData

/// One run's iterations and what they share.
struct IterationsRun {
    let stage: FitStage
    let model: MaskRCNN
    let store: ParameterStore
    let context: ModuleContext
    let settings: TrainingSettings
    /// The run's log; nil on ranks other than 0 (rank 0 alone writes).
    let log: TrainingLogFile?
    let configJSON: String
    let start: Int
    let end: Int
    let options: FitOptions
    let loop: FitLoop
    /// The last iteration a checkpoint holds (a resumed run's start, then each save).
    private var lastCheckpoint: Int?
    /// The best validation value so far (`FitValidation.bestMetric`), a resumed run's included.
    private var bestValidation: Double?

    init(stage: FitStage, model: MaskRCNN, store: ParameterStore, context: ModuleContext, settings: TrainingSettings,
         log: TrainingLogFile?, configJSON: String, start: Int, end: Int, options: FitOptions, loop: FitLoop) {
        self.stage = stage; self.model = model; self.store = store; self.context = context; self.settings = settings
        self.log = log; self.configJSON = configJSON; self.start = start; self.end = end; self.options = options; self.loop = loop
        lastCheckpoint = options.resume ? start : nil
        bestValidation = log.flatMap { options.validation?.best(in: $0.keptRecords) }
    }

    mutating func iterate(sampling: inout SeededRandom) throws -> FitSummary {
        let config = loop.config, dataset = loop.dataset, batchSize = config.solver.imagesPerBatch
        let processes = options.processes
        let batches = TrainingBatches(dataset: dataset, stream: EpochStream(batchSize: batchSize, order: loop.order),
                                      settings: LoaderSettings(config: config.input), seed: config.seed)
        // Exact gradient sum: this rank's images, one batch each; else the whole batch.
        let share = try DataParallelShare(processes: processes, batchSize: batchSize, gradientSum: config.solver.resolvedGradientSum)
        let exact = config.solver.resolvedGradientSum == .exact
            ? ExactGradientStep(stage: stage, model: model, store: store, context: context, settings: settings, share: share,
                                processes: processes, seed: config.seed, sum: ExactGradientSum(store: store))
            : nil
        if let exact {
            loop.logger.info("exact gradient sum: \(exact.sum.count) trainable values, \(share.positions.count) images per rank; "
                             + "\(exact.sum.bytesSentPerRank(ranks: processes.size)) bytes sent per rank per iteration")
        }
        let prefetcher = Prefetcher(range: start..<end, capacity: options.prefetchBatches) { iteration -> [ImageBatch] in
            exact == nil ? [try batches.batch(iteration: iteration)] : try batches.images(iteration: iteration, positions: share.positions)
        }
        defer { prefetcher.stop() }
        let optimizer = SGD(options: SGDOptions(momentum: Float(config.solver.momentum), weightDecay: Float(config.solver.weightDecay)))
        let label = stage.progressLabel + (processes.isDistributed ? " (\(processes.size) ranks)" : "")
        let progress = ProgressBar(label: label, total: (end - start) * batchSize, unit: "img", logger: loop.logger)
        defer { progress.finish() }
        var summary = FitSummary(startIteration: start, endIteration: start, records: [], skipped: SkippedInstances(),
                                 imagesPerSecond: 0, dataWaitSeconds: 0)
        var timedSeconds = 0.0, timedImages = 0
        let phases = options.profile ? PhaseClock() : nil
        for iteration in start..<end {
            let clock = Stopwatch()
            phases?.restart()
            guard let parts = try prefetcher.next() else { break }
            for part in parts { try BatchTargets.requireFiniteTargets(part, shards: dataset.directory) }
            let losses: TrainingLosses
            if let exact {
                phases?.mark(TrainingPhase.data)
                let result = exact.run(parts, iteration: iteration, phases: phases)
                losses = result.losses
                summary.skipped.add(result.skipped)
            } else {
                let batch = parts[0]
                let images = BatchTargets.imageTensor(batch)
                let (targets, skipped) = BatchTargets.targets(batch)
                summary.skipped.add(skipped)
                store.zeroGradients()
                phases?.mark(TrainingPhase.data)
                losses = stage.losses(model: model, images: images, targets: targets, settings: settings, context: context,
                                      sampling: &sampling, phases: phases)
            }
            guard losses.total.isFinite else { throw nonFiniteLossError(losses, iteration: iteration, parts: parts) }
            let rate = loop.schedule.learningRate.learningRate(at: iteration)
            optimizer.step(store: store, learningRate: rate, parallelism: loop.compute.parallelism)
            phases?.mark(TrainingPhase.optimizer)
            let seconds = clock.elapsed
            if iteration > start || end - start == 1 { timedSeconds += seconds; timedImages += batchSize }
            // The batch's first image is rank 0's first: its epoch is the batch's (rank 0 logs).
            let record = IterationRecord(iteration: iteration + 1, epoch: parts[0].epoch, learningRate: rate, losses: losses,
                                         imagesPerSecond: Double(batchSize) / max(seconds, 1e-9), phases: phases?.phases)
            summary.records.append(record)
            try log?.append(line: stage.logLine(record))
            progress.advance(by: batchSize, status: stage.progressStatus(losses, rate: rate))
            let stopSignal = iteration + 1 < end ? agreedStop(options.stopRequested(), processes: processes) : nil
            if (iteration + 1) % config.solver.checkpointPeriod == 0 || iteration + 1 == end || stopSignal != nil {
                try saveCheckpoint(after: iteration, sampling: sampling)
            }
            if let validation = options.validation, stopSignal == nil, validation.isDue(after: iteration + 1, end: end) {
                try validate(validation, after: iteration, sampling: sampling)
            }
            summary.endIteration = iteration + 1
            if let stopSignal { throw options.stoppedError(signal: stopSignal, step: iteration + 1) }
        }
        summary.imagesPerSecond = timedSeconds > 0 ? Double(timedImages) / timedSeconds : 0
        summary.dataWaitSeconds = prefetcher.waitedSeconds
        return summary
    }

    /// Scores the model after `iteration` (0-based), logs the metrics and keeps
    /// OUT/best.safetensors when `bestMetric` beats every earlier value.
    private mutating func validate(_ validation: FitValidation, after iteration: Int, sampling: SeededRandom) throws {
        let predictor = DetectorPredictor(model: model, store: store, config: loop.config, categoryIDs: loop.categoryIDs,
                                          compute: loop.compute, name: "the model after iteration \(iteration + 1)")
        let metrics = try validation.evaluate(predictor)
        try log?.append(line: FitValidation.logLine(iteration: iteration + 1, metrics: metrics))
        let summary = metrics.map { "\($0.name) \($0.value.map { String(format: "%.3f", $0) } ?? "-")" }.joined(separator: ", ")
        loop.logger.info("validation after iteration \(iteration + 1): \(summary)")
        guard let value = metrics.first(where: { $0.name == validation.bestMetric })?.value, value.isFinite,
              value > (bestValidation ?? -.infinity) else { return }
        try saveCheckpoint(after: iteration, sampling: sampling, to: options.bestCheckpointPath, updatesLast: false)
        bestValidation = value
        loop.logger.info("\(validation.bestMetric) \(String(format: "%.3f", value)) is the best so far: \(options.bestCheckpointPath)")
    }

    /// Saves the run through `iteration` (0-based); a finite loss can still come with
    /// infinite gradients: such weights are never saved.
    private mutating func saveCheckpoint(after iteration: Int, sampling: SeededRandom) throws {
        try saveCheckpoint(after: iteration, sampling: sampling, to: options.checkpointPath, updatesLast: true)
    }

    private mutating func saveCheckpoint(after iteration: Int, sampling: SeededRandom, to path: String, updatesLast: Bool) throws {
        guard FitLoop.allFinite(store) else {
            throw ToolError("\(stage.runName) stopped: the weights are not finite after iteration \(iteration + 1) (the gradients "
                            + "overflowed); \(keptCheckpoint)",
                            hint: "lower solver.baseLearningRate or lengthen solver.warmupIterations, then start again"
                            + (lastCheckpoint == nil ? "" : " or continue with --resume"))
        }
        if options.processes.isRoot {
            try stage.saveCheckpoint(to: path, store: store,
                                     state: TrainingState(step: iteration + 1, random: sampling, configJSON: configJSON), loop: loop)
        }
        if updatesLast { lastCheckpoint = iteration + 1 }
    }

    /// The stop signal every rank acts on: the largest any rank received (ranks get a
    /// scheduler's SIGTERM at slightly different times; all must stop after the same iteration).
    private func agreedStop(_ local: Int32?, processes: ProcessGroup) -> Int32? {
        guard processes.isDistributed else { return local }
        let agreed = processes.maximum(Int64(local ?? 0))
        if agreed != 0 { ProcessGroup.markAgreedStop() }
        return agreed == 0 ? nil : Int32(agreed)
    }

    private var keptCheckpoint: String {
        lastCheckpoint.map { "the last good checkpoint (iteration \($0)) is kept in \(options.checkpointPath)" }
            ?? "no checkpoint was written yet"
    }

    /// The loss of a batch whose inputs were checked finite (`requireFiniteTargets`; pixels
    /// are decoded bytes) went NaN or infinite: the weights diverged, which the learning
    /// rate and warm-up control.
    private func nonFiniteLossError(_ losses: TrainingLosses, iteration: Int, parts: [ImageBatch]) -> ToolError {
        ToolError("\(stage.runName) stopped: the loss is not finite at iteration \(iteration + 1) ("
                  + "rpn_cls \(losses.rpnObjectness), rpn_bbox \(losses.rpnBox), cls \(losses.boxClassification), "
                  + "bbox \(losses.boxRegression), mask \(losses.mask.map { "\($0)" } ?? "not run")); "
                  + FitLoop.finiteInputsNote(parts.flatMap(\.images)) + (stage.divergenceNote.map { " (\($0))" } ?? "") + "; \(keptCheckpoint)",
                  hint: "lower solver.baseLearningRate or lengthen solver.warmupIterations, then start again"
                  + (lastCheckpoint == nil ? "" : " or continue with --resume"))
    }
}
