// The one fit loop of both stages: the run's life cycle around a `FitStage`. The model from
// the resolved config, a fresh start or an exact resume (checkpoint checked against the
// config, the category table and the training data), OUT/config.json, then per iteration:
// prefetched batch, finite targets, forward/backward (the stage's), finite loss, SGD step on
// the schedule's rate, JSON-lines log, progress, periodic and final checkpoints (never of
// non-finite weights), and a stop request (SIGINT/SIGTERM) saving the iteration it is on.
// A non-finite loss or weight ends the run naming the last good checkpoint.
//
// Determinism: initial weights <- SeededRandom(seed); RoI/anchor sampling <- stream 1 of the
// seed, saved in every checkpoint; data <- pure functions of (seed, epoch, position)
// (`DataRandomness`, `order`). The same seed and thread count give the same losses, whether
// a run is interrupted and resumed or not.
import Foundation
import SharedSupport
import SharedTensor
import SharedNN
import SharedData

public final class FitLoop {
    /// The detector part of the run's config, resolved (class count set).
    public let config: DetectorConfig
    /// The run's whole config (a later stage's sections included): frozen parts, config.json,
    /// checkpoint metadata and the resume check.
    public let runConfig: any RunConfig
    public let dataset: ShardDataset
    /// LVIS category id of each class index.
    public let categoryIDs: [Int]
    /// The dataset records of each epoch (a pure function of the epoch).
    public let order: @Sendable (Int) -> [Int]
    public let schedule: TrainingSchedule
    public let compute: Compute
    public let logger: Logger

    public init(config: some RunConfig, dataset: ShardDataset, order: @escaping @Sendable (Int) -> [Int], schedule: TrainingSchedule,
                compute: Compute, logger: Logger) {
        precondition(config.detector.roiHeads.numClasses != nil, "the fit loop needs a resolved config")
        self.config = config.detector
        runConfig = config
        self.dataset = dataset
        categoryIDs = dataset.categoryIDsByIndex
        self.order = order
        self.schedule = schedule
        self.compute = compute
        self.logger = logger
    }

    /// Runs (or resumes) `stage`. Throws a `ToolError` on bad data, on a checkpoint that does
    /// not match the run being resumed, and when a loss or a weight becomes NaN or infinite.
    public func run(_ stage: FitStage, options: FitOptions) throws -> FitSummary {
        let processes = options.processes
        if config.solver.resolvedGradientSum == .exact && !stage.supportsExactGradientSum {
            throw ToolError("\(stage.runName) does not support solver.gradientSum \"exact\" (nor several MPI ranks) with this config yet"
                            + (stage.exactGradientSumLimit.map { ": \($0)" } ?? ""),
                            hint: "leave solver.gradientSum at \"batch\" and run one process", exitCode: .usage)
        }
        if processes.isDistributed && options.validation != nil {
            throw ToolError("--val is not supported with several MPI ranks yet",
                            hint: "train without --val and evaluate the checkpoints with `detect-train predict` and `detect-eval`",
                            exitCode: .usage)
        }
        var initRandom = SeededRandom(seed: config.seed)
        let (model, store) = MaskRCNN.make(config: config, random: &initRandom)
        model.setFrozen(runConfig.frozenParts, store: store)
        var sampling = SeededRandom(seed: config.seed, stream: 1)
        let configJSON = String(decoding: try runConfig.encoded(), as: UTF8.self)
        var start = 0
        if options.resume {
            let state = try resume(stage, into: store, options: options)
            (start, sampling) = (state.step, state.random)
        } else if FileManager.default.fileExists(atPath: options.checkpointPath) {
            throw ToolError("a checkpoint is already there", file: options.checkpointPath,
                            hint: "pass --resume to continue that run, or choose another --out", exitCode: .usage)
        } else {
            try stage.startFresh(store: store, options: options)
        }
        if processes.isDistributed {   // (the weights' fingerprint reads every value: only for a job of ranks)
            try RankAgreement.require([
                ("tool version", ToolVersion.number),
                ("config", configJSON),
                ("training data", DetectorCheckpoint.fingerprint(of: dataset.manifest)),
                ("starting iteration", String(start)),
                ("starting weights and momentum", Self.fingerprint(store)),
            ], in: processes)
        }
        try options.createOutputDirectory()
        if processes.isRoot { try writeFileAtomically(options.configPath, text: configJSON + "\n") }
        let context = ModuleContext(store: store, compute: compute)
        let settings = TrainingSettings(config: config)
        try stage.prepare(model: model, store: store, context: context, settings: settings, sampling: &sampling,
                          resumed: options.resume, options: options)

        let end = options.endIteration(schedule: schedule.totalIterations, logger: logger)
        let log = processes.isRoot ? try TrainingLogFile(path: options.logPath, keepThrough: options.resume ? start : nil) : nil
        guard start < end else {
            logger.info("nothing to do: the checkpoint already holds iteration \(start) (this run stops at \(end))")
            return FitSummary(startIteration: start, endIteration: start, records: [], skipped: SkippedInstances(),
                              imagesPerSecond: 0, dataWaitSeconds: 0)
        }
        logger.info("\(stage.progressLabel): \(config.preset), \(config.classCount) classes, \(dataset.count) images, "
                    + "batch \(config.solver.imagesPerBatch), iterations \(start)..<\(end) of \(schedule.totalIterations), "
                    + (processes.isDistributed ? "\(processes.size) ranks x " : "") + "\(compute.parallelism.threads) threads"
                    + (config.solver.resolvedGradientSum == .exact ? ", exact gradient sum" : ""))
        var run = IterationsRun(stage: stage, model: model, store: store, context: context, settings: settings, log: log,
                                configJSON: configJSON, start: start, end: end, options: options, loop: self)
        let summary = try run.iterate(sampling: &sampling)
        reportSkipped(summary.skipped)
        logger.info(String(format: "%@: %d iterations, %.2f images/s, %.1f s waiting for data; checkpoint %@", stage.progressLabel,
                           summary.endIteration - start, summary.imagesPerSecond, summary.dataWaitSeconds, options.checkpointPath))
        return summary
    }

    /// Loads OUT/checkpoint.safetensors into `store` and the stage; returns its step and generator.
    private func resume(_ stage: FitStage, into store: ParameterStore, options: FitOptions) throws -> TrainingState {
        let path = options.checkpointPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw ToolError("nothing to resume: no checkpoint", file: path, hint: "run without --resume to start \(stage.runName)")
        }
        let file = try SafetensorsFile.read(from: path)
        let (stored, ids) = try DetectorCheckpoint.header(of: file, path: path)
        try stage.requireResumable(stored: stored, checkpoint: path)
        try DetectorConfig.requireSameRun(runConfig, stored: stored, checkpoint: path)
        if let ids, ids != categoryIDs {
            throw ToolError("the checkpoint was trained on another category table than \(dataset.directory)", file: path,
                            hint: "resume with the same training shards")
        }
        try DetectorCheckpoint.requireSameTrainingData(file, checkpoint: path, dataset: dataset)
        let state = try TrainingCheckpoint.load(from: path, into: store)
        guard state.step <= schedule.totalIterations else {
            throw ToolError("state.step is \(state.step), past the \(schedule.totalIterations) iterations of the config's schedule",
                            file: path, hint: "the checkpoint is damaged or from another schedule; resume with the config it was written with")
        }
        try stage.restoreState(from: file, checkpoint: path)
        logger.info("resuming from \(path) at iteration \(state.step)")
        return state
    }

    private func reportSkipped(_ skipped: SkippedInstances) {
        if skipped.crowd > 0 {
            logger.info("\(skipped.crowd) crowd instances were not used as targets (ignored, as in mmdetection)")
        }
        if skipped.withoutPolygons > 0 {
            logger.warning("\(skipped.withoutPolygons) non-crowd instances without polygons (RLE or no mask) were "
                           + "not used as targets: mask targets are rasterised from polygons only")
        }
    }

    /// CRC-32 of the store's values and momentum (the ranks' starting points must agree).
    static func fingerprint(_ store: ParameterStore) -> String {
        var crc: UInt32 = 0
        for storage in [store.values, store.momentum] {
            storage.withUnsafeBufferPointer { crc = crc32Checksum(UnsafeRawBufferPointer($0), initial: crc) }
        }
        return String(crc, radix: 16)
    }

    /// Whether every parameter value is finite (checked before each checkpoint).
    public static func allFinite(_ store: ParameterStore) -> Bool {
        store.values.withUnsafeBufferPointer { $0.allSatisfy(\.isFinite) }
    }

    /// "the batch's inputs (image ids 3, 9) are finite, so the weights diverged".
    public static func finiteInputsNote(_ images: [LoadedImage]) -> String {
        let ids = images.prefix(8).map { String($0.imageID.rawValue) }.joined(separator: ", ")
            + (images.count > 8 ? ", ..." : "")
        return "the batch's inputs (image ids \(ids): pixels, boxes, polygons) are finite, so the weights diverged"
    }
}

extension ShardDataset {
    /// The LVIS category id of each class index.
    public var categoryIDsByIndex: [Int] { categories.sorted { $0.index < $1.index }.map(\.id) }
}
