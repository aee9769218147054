// The stage-1 fit loop: model from the resolved config, SGD with warm-up and step decay
// (rate scaled linearly from the config's reference batch), batches from the prefetching
// loader, a JSON-lines log, a progress bar, periodic and final checkpoints, exact resume,
// and a stop with a clear message when a loss is not finite.
//
// Determinism: initial weights <- SeededRandom(seed); RoI/anchor sampling <- one generator
// (stream 1 of the seed), saved in every checkpoint; data <- pure functions of (seed, epoch,
// position) (`DataRandomness`). The same seed and thread count give the same losses,
// whether a run is interrupted and resumed or not.
import Foundation
import SharedSupport
import SharedTensor
import SharedNN
import SharedData

/// Where a fit writes and how far it goes.
public struct FitOptions: Sendable {
    public var outputDirectory: String
    /// Continue from OUT/checkpoint.safetensors.
    public var resume: Bool
    /// Stop after this many iterations in total (the schedule stays the config's).
    public var stopAfter: Int?
    /// Images decoded ahead of the training step (in batches).
    public var prefetchBatches: Int
    /// Polled after every iteration: a signal number asks the run to save a checkpoint and
    /// stop (the commands pass `StopSignals.received`).
    public var stopRequested: @Sendable () -> Int32?
    /// The config's `backbone.pretrained` file, resolved: loaded into a fresh run (not a resumed one).
    public var pretrainedBackbone: String?
    /// Time every iteration's phases (`TrainingPhase`) into its log line.
    public var profile: Bool

    public init(outputDirectory: String, resume: Bool = false, stopAfter: Int? = nil, prefetchBatches: Int = 2,
                stopRequested: @escaping @Sendable () -> Int32? = { nil }, pretrainedBackbone: String? = nil,
                profile: Bool = false) {
        self.outputDirectory = outputDirectory
        self.resume = resume
        self.stopAfter = stopAfter
        self.prefetchBatches = prefetchBatches
        self.stopRequested = stopRequested
        self.pretrainedBackbone = pretrainedBackbone
        self.profile = profile
    }

    /// The error that ends a run stopped by `signal` after `step` iterations, all of them in
    /// the checkpoint.
    public func stoppedError(signal: Int32, step: Int) -> ToolError {
        ToolError("stopped by \(StopSignals.name(signal)) after iteration \(step); the checkpoint holds every iteration so far",
                  file: checkpointPath, hint: "continue with the same command and --resume",
                  exitCode: ToolExitCode(stoppedBy: signal))
    }

    /// Creates the output folder (and its parents) if missing.
    public func createOutputDirectory() throws {
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw ToolError.io("cannot create the output folder: \(error.localizedDescription)", file: outputDirectory)
        }
    }

    /// Where this run stops in a schedule of `total` iterations: `stopAfter`, capped at
    /// `total` with a warning when it asks for more.
    public func endIteration(schedule total: Int, logger: Logger) -> Int {
        guard let stopAfter else { return total }
        if stopAfter > total {
            logger.warning("--iterations \(stopAfter) is past the schedule's \(total) iterations: stopping at \(total)")
        }
        return min(stopAfter, total)
    }

    public var checkpointPath: String { outputDirectory + "/" + DetectorCheckpoint.fileName }
    public var configPath: String { outputDirectory + "/config.json" }
    public var logPath: String { outputDirectory + "/log.jsonl" }
}

/// What a fit did.
public struct FitSummary: Sendable {
    public var startIteration: Int
    public var endIteration: Int
    public var records: [IterationRecord]
    public var skipped: SkippedInstances
    /// Images per second over the run's iterations after the first (all of them if only one).
    public var imagesPerSecond: Double
    /// Seconds the training step waited for the loader.
    public var dataWaitSeconds: Double
}

public final class DetectorTrainer {
    /// Resolved (class count set); `seed` is the run's seed.
    public let config: DetectorConfig
    public let dataset: ShardDataset
    public let categoryIDs: [Int]
    private let order: @Sendable (Int) -> [Int]
    public let iterationsPerEpoch: Int
    public let compute: Compute
    public let logger: Logger

    /// - Parameters:
    ///   - order: the dataset records of each epoch (a pure function of the epoch).
    ///   - imagesPerEpoch: images in an epoch (for epoch-unit schedules).
    public init(config: DetectorConfig, dataset: ShardDataset, order: @escaping @Sendable (Int) -> [Int], imagesPerEpoch: Int,
                compute: Compute, logger: Logger) {
        precondition(config.roiHeads.numClasses != nil, "the trainer needs a resolved config")
        self.config = config
        self.dataset = dataset
        categoryIDs = dataset.categories.sorted { $0.index < $1.index }.map(\.id)
        self.order = order
        iterationsPerEpoch = max(1, imagesPerEpoch / config.solver.imagesPerBatch)
        self.compute = compute
        self.logger = logger
    }

    public var batchSize: Int { config.solver.imagesPerBatch }

    /// Iterations of the whole schedule.
    public var totalIterations: Int {
        config.solver.unit == .iterations ? config.solver.length : config.solver.length * iterationsPerEpoch
    }

    /// The learning rate by iteration: linear scaling, warm-up, step decay.
    public var schedule: LearningRateSchedule {
        let solver = config.solver
        let steps = solver.unit == .iterations ? solver.decaySteps
            : LearningRateSchedule.steps(atEpochs: solver.decaySteps, iterationsPerEpoch: iterationsPerEpoch)
        return LearningRateSchedule(
            peakRate: solver.scaledLearningRate, steps: steps, gamma: Float(solver.decayFactor), warmupIterations: solver.warmupIterations,
            warmupRatio: Float(solver.warmupRatio))
    }

    /// Runs (or resumes) the fit. Throws a `ToolError` on bad data, on a config that does
    /// not match the checkpoint being resumed, and when a loss becomes NaN or infinite.
    @discardableResult
    public func fit(_ options: FitOptions) throws -> FitSummary {
        var initRandom = SeededRandom(seed: config.seed)
        let (model, store) = MaskRCNN.make(config: config, random: &initRandom)
        var sampling = SeededRandom(seed: config.seed, stream: 1)
        let configJSON = String(decoding: try config.encoded(), as: UTF8.self)
        var start = 0
        if options.resume {
            start = try resumeState(into: store, options: options, sampling: &sampling)
        } else if FileManager.default.fileExists(atPath: options.checkpointPath) {
            throw ToolError("a checkpoint is already there", file: options.checkpointPath,
                            hint: "pass --resume to continue that run, or choose another --out", exitCode: .usage)
        } else if let path = options.pretrainedBackbone {
            guard FileManager.default.fileExists(atPath: path) else {
                throw ToolError.io("the config's backbone.pretrained file is missing", file: path,
                                   hint: "make it as README.md says (scripts/convert_torchvision_resnet50.py), or set "
                                   + "backbone.pretrained to null to train the backbone from scratch")
            }
            let count = try MaskRCNN.loadPretrainedBackbone(path: path, into: store)
            logger.info("loaded \(count) pretrained backbone tensors from \(path)")
        }
        try options.createOutputDirectory()
        try writeFileAtomically(options.configPath, text: configJSON + "\n")
        let end = options.endIteration(schedule: totalIterations, logger: logger)
        let log = try TrainingLogFile(path: options.logPath, keepThrough: options.resume ? start : nil)
        var summary = FitSummary(startIteration: start, endIteration: start, records: [], skipped: SkippedInstances(),
                                 imagesPerSecond: 0, dataWaitSeconds: 0)
        guard start < end else {
            logger.info("nothing to do: the checkpoint already holds iteration \(start) (this run stops at \(end))")
            return summary
        }
        logger.info("fit: \(config.preset), \(config.classCount) classes, \(dataset.count) images, batch \(batchSize), "
                    + "iterations \(start)..<\(end) of \(totalIterations), \(compute.parallelism.threads) threads")

        let batches = TrainingBatches(dataset: dataset, stream: EpochStream(batchSize: batchSize, order: order),
                                      settings: LoaderSettings(config: config.input), seed: config.seed)
        let prefetcher = Prefetcher(range: start..<end, capacity: options.prefetchBatches) { try batches.batch(iteration: $0) }
        defer { prefetcher.stop() }
        let context = ModuleContext(store: store, compute: compute)
        let settings = TrainingSettings(config: config)
        let optimizer = SGD(options: SGDOptions(momentum: Float(config.solver.momentum), weightDecay: Float(config.solver.weightDecay)))
        let schedule = self.schedule
        let progress = ProgressBar(label: "fit", total: (end - start) * batchSize, unit: "img", logger: logger)
        var lastCheckpoint: Int? = options.resume ? start : nil
        var timedSeconds = 0.0, timedImages = 0
        let phases = options.profile ? PhaseClock() : nil
        for iteration in start..<end {
            let clock = Stopwatch()
            phases?.restart()
            guard let batch = try prefetcher.next() else { break }
            let images = BatchTargets.imageTensor(batch)
            try BatchTargets.requireFiniteTargets(batch, shards: dataset.directory)
            let (targets, skipped) = BatchTargets.targets(batch)
            summary.skipped.add(skipped)
            store.zeroGradients()
            phases?.mark(TrainingPhase.data)
            let losses = model.trainingStep(images, targets: targets, settings: settings, context: context, random: &sampling,
                                            phases: phases)
            guard losses.total.isFinite else {
                progress.finish()
                throw nonFiniteLossError(losses, iteration: iteration, batch: batch, lastCheckpoint: lastCheckpoint, options: options)
            }
            let rate = schedule.learningRate(at: iteration)
            optimizer.step(store: store, learningRate: rate, parallelism: compute.parallelism)
            phases?.mark(TrainingPhase.optimizer)
            let seconds = clock.elapsed
            if iteration > start || end - start == 1 { timedSeconds += seconds; timedImages += batch.count }
            let record = IterationRecord(iteration: iteration + 1, epoch: batch.epoch, learningRate: rate, losses: losses,
                                         imagesPerSecond: Double(batch.count) / max(seconds, 1e-9), phases: phases?.phases)
            summary.records.append(record)
            try log.append(record)
            progress.advance(by: batch.count, status: Self.status(losses, rate: rate))
            let stopSignal = iteration + 1 < end ? options.stopRequested() : nil
            if (iteration + 1) % config.solver.checkpointPeriod == 0 || iteration + 1 == end || stopSignal != nil {
                // A finite loss can still come with infinite gradients: never save such weights.
                guard Self.allFinite(store) else {
                    progress.finish()
                    throw nonFiniteWeightsError(iteration: iteration, lastCheckpoint: lastCheckpoint, options: options)
                }
                try DetectorCheckpoint.save(to: options.checkpointPath, store: store,
                                            state: TrainingState(step: iteration + 1, random: sampling, configJSON: configJSON),
                                            categoryIDs: categoryIDs, scheduledIterations: totalIterations,
                                            trainingData: dataset.manifest)
                lastCheckpoint = iteration + 1
            }
            summary.endIteration = iteration + 1
            if let stopSignal {
                progress.finish()
                throw options.stoppedError(signal: stopSignal, step: iteration + 1)
            }
        }
        progress.finish()
        summary.imagesPerSecond = timedSeconds > 0 ? Double(timedImages) / timedSeconds : 0
        summary.dataWaitSeconds = prefetcher.waitedSeconds
        if summary.skipped.crowd > 0 {
            logger.info("\(summary.skipped.crowd) crowd instances were not used as targets (ignored, as in mmdetection)")
        }
        if summary.skipped.withoutPolygons > 0 {
            logger.warning("\(summary.skipped.withoutPolygons) non-crowd instances without polygons (RLE or no mask) were "
                           + "not used as targets: mask targets are rasterised from polygons only")
        }
        logger.info(String(format: "fit: %d iterations, %.2f images/s, %.1f s waiting for data; checkpoint %@",
                           summary.endIteration - start, summary.imagesPerSecond, summary.dataWaitSeconds, options.checkpointPath))
        return summary
    }

    /// Loads OUT/checkpoint.safetensors into `store` and `sampling`; returns its step.
    private func resumeState(into store: ParameterStore, options: FitOptions, sampling: inout SeededRandom) throws -> Int {
        let path = options.checkpointPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw ToolError("nothing to resume: no checkpoint", file: path, hint: "run without --resume to start training")
        }
        let file = try SafetensorsFile.read(from: path)
        let (stored, ids) = try DetectorCheckpoint.header(of: file, path: path)
        try config.requireCompatible(checkpointConfig: stored, checkpoint: path, scope: [""])
        if let ids, ids != categoryIDs {
            throw ToolError("the checkpoint was trained on another category table than \(dataset.directory)", file: path,
                            hint: "resume with the same training shards")
        }
        try DetectorCheckpoint.requireSameTrainingData(file, checkpoint: path, dataset: dataset)
        let state = try TrainingCheckpoint.load(from: path, into: store)
        guard state.step <= totalIterations else {
            throw ToolError("state.step is \(state.step), past the \(totalIterations) iterations of the config's schedule", file: path,
                            hint: "the checkpoint is damaged or from another schedule; resume with the config it was written with")
        }
        sampling = state.random
        logger.info("resuming from \(path) at iteration \(state.step)")
        return state.step
    }

    /// The loss of a batch whose inputs were checked finite (`requireFiniteTargets`; pixels
    /// are decoded bytes) went NaN or infinite: the weights diverged, which the learning
    /// rate and warm-up control.
    private func nonFiniteLossError(_ losses: TrainingLosses, iteration: Int, batch: ImageBatch, lastCheckpoint: Int?,
                                    options: FitOptions) -> ToolError {
        let kept = lastCheckpoint.map { "the last good checkpoint (iteration \($0)) is kept in \(options.checkpointPath)" }
            ?? "no checkpoint was written yet"
        return ToolError("training stopped: the loss is not finite at iteration \(iteration + 1) ("
                         + "rpn_cls \(losses.rpnObjectness), rpn_bbox \(losses.rpnBox), cls \(losses.boxClassification), "
                         + "bbox \(losses.boxRegression), mask \(losses.mask.map { "\($0)" } ?? "not run")); "
                         + Self.finiteInputsNote(batch) + "; \(kept)",
                         hint: "lower solver.baseLearningRate or lengthen solver.warmupIterations, then start again"
                         + (lastCheckpoint == nil ? "" : " or continue with --resume"))
    }

    /// "the batch's inputs (image ids 3, 9) are finite, so the weights diverged".
    public static func finiteInputsNote(_ batch: ImageBatch) -> String {
        let ids = batch.images.prefix(8).map { String($0.imageID.rawValue) }.joined(separator: ", ")
            + (batch.count > 8 ? ", ..." : "")
        return "the batch's inputs (image ids \(ids): pixels, boxes, polygons) are finite, so the weights diverged"
    }

    private func nonFiniteWeightsError(iteration: Int, lastCheckpoint: Int?, options: FitOptions) -> ToolError {
        let kept = lastCheckpoint.map { "the last good checkpoint (iteration \($0)) is kept in \(options.checkpointPath)" }
            ?? "no checkpoint was written yet"
        return ToolError("training stopped: the weights are not finite after iteration \(iteration + 1) (the gradients "
                         + "overflowed); \(kept)",
                         hint: "lower solver.baseLearningRate or lengthen solver.warmupIterations, then start again")
    }

    /// Whether every parameter value is finite (checked before each checkpoint, by both stages).
    public static func allFinite(_ store: ParameterStore) -> Bool {
        UnsafeBufferPointer(store.values.buffer).allSatisfy(\.isFinite)
    }

    static func status(_ losses: TrainingLosses, rate: Float) -> String {
        String(format: "loss %.3f (rpn %.3f/%.3f box %.3f/%.3f mask %@) lr %.2g", Double(losses.total),
               Double(losses.rpnObjectness), Double(losses.rpnBox), Double(losses.boxClassification),
               Double(losses.boxRegression), losses.mask.map { String(format: "%.3f", Double($0)) } ?? "-", Double(rate))
    }
}
