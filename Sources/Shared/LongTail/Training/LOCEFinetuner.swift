// The stage-2 fit loop (docs/method.md §Stage 2, §Warm-up pass, §Stage-2 iteration): the model
// from the stage-2 config with backbone, FPN and the shared box FCs frozen, every weight
// loaded from the stage-1 checkpoint (classifier included), the category-balanced warm-up pass
// (no optimiser step), then SGD on the 6-epoch schedule with `LOCEBoxLoss` hooked into the box
// losses. The checkpoint is a normal detector checkpoint plus the mean scores, the memory and
// the hook's generator (loce.*), so `detect-train predict` reads it unchanged and a resume is
// exact.
//
// Determinism: RoI/anchor sampling <- SeededRandom(seed, stream: 1); jitter and memory draws
// <- SeededRandom(seed, stream: 2); warm-up image choice <- SeededRandom(seed, stream: 3);
// data <- `DataRandomness`. All generator states are saved in the checkpoint.
import Foundation
import SharedSupport
import SharedTensor
import SharedNN
import SharedData
import SharedDetection

/// Where a fine-tuning run reads and writes.
public struct FinetuneOptions: Sendable {
    /// The stage-1 checkpoint (`--from`).
    public var baseCheckpoint: String
    public var fit: FitOptions

    public init(baseCheckpoint: String, fit: FitOptions) {
        self.baseCheckpoint = baseCheckpoint
        self.fit = fit
    }
}

/// One fine-tuning iteration: the stage-1 record plus LOCE's own numbers.
public struct FinetuneRecord: Sendable {
    public var base: IterationRecord
    /// Mean of s over the classes of each frequency group (nil for an empty group).
    public var groupMeanScores: [FrequencyGroup: Float]
    public var memorySamples: Int

    public func jsonLine() -> String {
        var line = base.jsonLine()
        line.removeLast()  // "}"
        for group in FrequencyGroup.allCases {
            if let value = groupMeanScores[group] { line += ",\"mean_score_\(group)\":\(Double(value))" }
        }
        return line + ",\"memory_samples\":\(memorySamples)}"
    }
}

public struct FinetuneSummary: Sendable {
    public var startIteration: Int
    public var endIteration: Int
    public var records: [FinetuneRecord]
    public var imagesPerSecond: Double
    /// Seconds the training step waited for the loader.
    public var dataWaitSeconds: Double = 0
    /// Images run by the warm-up pass (0 on resume or when switched off).
    public var warmupImages: Int
}

public final class LOCEFinetuner {
    public let config: DetectorConfig
    public let loce: LOCEConfig
    public let dataset: ShardDataset
    public let compute: Compute
    public let logger: Logger
    /// The stage-1 trainer's schedule bookkeeping (iterations, learning rate, category ids).
    public let plan: DetectorTrainer

    /// `config` must be resolved and have a `loce` section; the order is uniform
    /// (docs/method.md §Stage 2).
    public init(config: DetectorConfig, dataset: ShardDataset, compute: Compute, logger: Logger) {
        precondition(config.loce != nil, "the fine-tuner needs a stage-2 config (a loce section)")
        self.config = config
        loce = config.loce!
        self.dataset = dataset
        self.compute = compute
        self.logger = logger
        let seed = config.seed, count = dataset.count
        plan = DetectorTrainer(config: config, dataset: dataset,
                               order: { DataRandomness.uniformOrder(count: count, seed: seed, epoch: $0) },
                               imagesPerEpoch: count, compute: compute, logger: logger)
    }

    /// C x pooled² x FPN channels floats per memory slot.
    public var memoryFeatureSize: Int {
        config.fpn.channels * config.roiHeads.boxPooler.outputSize * config.roiHeads.boxPooler.outputSize
    }

    @discardableResult
    public func fit(_ options: FinetuneOptions) throws -> FinetuneSummary {
        let out = options.fit
        if loce.ablation.memorySampling { try requireMemoryFits() }
        var initRandom = SeededRandom(seed: config.seed)
        let (model, store) = MaskRCNN.make(config: config, random: &initRandom)
        var sampling = SeededRandom(seed: config.seed, stream: 1)
        let classCount = config.classCount
        let hook = LOCEBoxLoss(config: loce, classCount: classCount, featureSize: memoryFeatureSize,
                               useEquilibriumLoss: loce.ablation.equilibriumLoss, memorySampling: loce.ablation.memorySampling,
                               random: SeededRandom(seed: config.seed, stream: 2))
        let configJSON = String(decoding: try config.encoded(), as: UTF8.self)
        var start = 0
        if out.resume {
            start = try resume(into: store, hook: hook, sampling: &sampling, options: out)
        } else {
            if FileManager.default.fileExists(atPath: out.checkpointPath) {
                throw ToolError("a checkpoint is already there", file: out.checkpointPath,
                                hint: "pass --resume to continue that run, or choose another --out", exitCode: .usage)
            }
            try loadBase(options.baseCheckpoint, into: store)
        }
        try out.createOutputDirectory()
        try writeFileAtomically(out.configPath, text: configJSON + "\n")
        let frozen = store.parameters.filter { store.isFrozen($0) }.count
        logger.info("fine-tuning: \(config.preset), \(classCount) classes, \(dataset.count) images; \(frozen) of "
                    + "\(store.parameters.count) parameter tensors frozen (\(loce.frozen.map(\.rawValue).joined(separator: ", "))); "
                    + "EBL \(loce.ablation.equilibriumLoss ? "on" : "off"), MFS \(loce.ablation.memorySampling ? "on" : "off")")
        if loce.ablation.memorySampling {
            let bytes = FeatureMemory.byteCount(classCount: classCount, capacity: loce.memory.queueCapacity, featureSize: memoryFeatureSize)
            logger.info(String(format: "feature memory: %d classes x %d x %d floats = %.1f MiB", classCount, loce.memory.queueCapacity,
                               memoryFeatureSize, Double(bytes) / 1_048_576))
        }
        let context = ModuleContext(store: store, compute: compute)
        let settings = TrainingSettings(config: config)
        var summary = FinetuneSummary(startIteration: start, endIteration: start, records: [], imagesPerSecond: 0, warmupImages: 0)
        if !out.resume && loce.ablation.balancedWarmup && loce.warmupImagesPerCategory > 0 {
            summary.warmupImages = try warmup(model: model, hook: hook, settings: settings, context: context, sampling: &sampling,
                                              stopRequested: out.stopRequested)
        }

        let end = out.endIteration(schedule: plan.totalIterations, logger: logger)
        let log = try FinetuneLogFile(path: out.logPath, keepThrough: out.resume ? start : nil)
        guard start < end else {
            logger.info("nothing to do: the checkpoint already holds iteration \(start) (this run stops at \(end))")
            return summary
        }
        let batchSize = config.solver.imagesPerBatch
        let seed = config.seed, count = dataset.count
        let batches = TrainingBatches(dataset: dataset,
                                      stream: EpochStream(batchSize: batchSize,
                                                          order: { DataRandomness.uniformOrder(count: count, seed: seed, epoch: $0) }),
                                      settings: LoaderSettings(config: config.input), seed: config.seed)
        let prefetcher = Prefetcher(range: start..<end, capacity: out.prefetchBatches) { try batches.batch(iteration: $0) }
        defer { prefetcher.stop() }
        let optimizer = SGD(options: SGDOptions(momentum: Float(config.solver.momentum), weightDecay: Float(config.solver.weightDecay)))
        let schedule = plan.schedule
        let groups = dataset.categories.map(\.group)
        let progress = ProgressBar(label: "finetune", total: (end - start) * batchSize, unit: "img", logger: logger)
        var timedSeconds = 0.0, timedImages = 0
        let phases = out.profile ? PhaseClock() : nil
        for iteration in start..<end {
            let clock = Stopwatch()
            phases?.restart()
            guard let batch = try prefetcher.next() else { break }
            let images = BatchTargets.imageTensor(batch)
            try BatchTargets.requireFiniteTargets(batch, shards: dataset.directory)
            let (targets, _) = BatchTargets.targets(batch)
            store.zeroGradients()
            phases?.mark(TrainingPhase.data)
            let losses = model.trainingStep(images, targets: targets, settings: settings, context: context, random: &sampling,
                                            boxLossExtension: hook, phases: phases)
            guard losses.total.isFinite else {
                progress.finish()
                throw ToolError("fine-tuning stopped: the loss is not finite at iteration \(iteration + 1) (cls "
                                + "\(losses.boxClassification), bbox \(losses.boxRegression)); "
                                + DetectorTrainer.finiteInputsNote(batch) + " (the stage-1 weights, mean scores and memory "
                                + "were checked finite when loaded)",
                                hint: "lower solver.baseLearningRate or lengthen solver.warmupIterations, then start again")
            }
            let rate = schedule.learningRate(at: iteration)
            optimizer.step(store: store, learningRate: rate, parallelism: compute.parallelism)
            phases?.mark(TrainingPhase.optimizer)
            let seconds = clock.elapsed
            if iteration > start || end - start == 1 { timedSeconds += seconds; timedImages += batch.count }
            let record = FinetuneRecord(
                base: IterationRecord(iteration: iteration + 1, epoch: batch.epoch, learningRate: rate, losses: losses,
                                      imagesPerSecond: Double(batch.count) / max(seconds, 1e-9), phases: phases?.phases),
                groupMeanScores: Self.groupMeans(hook.meanScores, groups: groups), memorySamples: hook.lastMemorySampleCount)
            summary.records.append(record)
            try log.append(record)
            progress.advance(by: batch.count, status: String(format: "loss %.3f (cls %.3f) lr %.2g", Double(losses.total),
                                                             Double(losses.boxClassification), Double(rate)))
            let stopSignal = iteration + 1 < end ? out.stopRequested() : nil
            if (iteration + 1) % config.solver.checkpointPeriod == 0 || iteration + 1 == end || stopSignal != nil {
                // A finite loss can still come with infinite gradients: never save such weights.
                guard DetectorTrainer.allFinite(store) else {
                    progress.finish()
                    throw ToolError("fine-tuning stopped: the weights are not finite after iteration \(iteration + 1)",
                                    hint: "lower solver.baseLearningRate or lengthen solver.warmupIterations, then start again")
                }
                try saveCheckpoint(to: out.checkpointPath, store: store, hook: hook,
                                   state: TrainingState(step: iteration + 1, random: sampling, configJSON: configJSON))
            }
            summary.endIteration = iteration + 1
            if let stopSignal {
                progress.finish()
                throw out.stoppedError(signal: stopSignal, step: iteration + 1)
            }
        }
        progress.finish()
        summary.imagesPerSecond = timedSeconds > 0 ? Double(timedImages) / timedSeconds : 0
        summary.dataWaitSeconds = prefetcher.waitedSeconds
        logger.info(String(format: "fine-tuning: %d iterations, %.2f images/s, %.1f s waiting for data; checkpoint %@",
                           summary.endIteration - start, summary.imagesPerSecond, summary.dataWaitSeconds, out.checkpointPath))
        return summary
    }

    /// The feature memory is allocated whole at start: refuse one larger than this machine's memory.
    func requireMemoryFits() throws {
        // One slot's bytes from FeatureMemory, scaled in Double: a huge capacity must not overflow Int.
        let slotBytes = FeatureMemory.byteCount(classCount: 1, capacity: 1, featureSize: memoryFeatureSize)
        let capacity = loce.memory.queueCapacity
        let bytes = Double(slotBytes) * Double(config.classCount) * Double(capacity)
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes < physical else {
            throw ToolError("loce.memory.queueCapacity \(capacity): the feature memory would take "
                            + String(format: "%.1f GiB", bytes / 1_073_741_824) + " (\(config.classCount) classes x \(capacity) "
                            + "slots x \(slotBytes) bytes), more than this machine's "
                            + String(format: "%.1f GiB", physical / 1_073_741_824),
                            hint: "lower loce.memory.queueCapacity in the config (LOCE uses 80)")
        }
    }

    /// Mean of s over each frequency group's classes.
    static func groupMeans(_ scores: MeanScores, groups: [FrequencyGroup]) -> [FrequencyGroup: Float] {
        var sums: [FrequencyGroup: (Float, Int)] = [:]
        for (c, group) in groups.enumerated() {
            let entry = sums[group] ?? (0, 0)
            sums[group] = (entry.0 + scores.scores[c], entry.1 + 1)
        }
        return sums.mapValues { $0.0 / Float($0.1) }
    }

    /// Every weight of the stage-1 checkpoint (same architecture and categories).
    private func loadBase(_ path: String, into store: ParameterStore) throws {
        let file = try SafetensorsFile.read(from: path, hint: "pass the checkpoint.safetensors written by `detect-train fit`")
        let (stored, ids) = try DetectorCheckpoint.header(of: file, path: path)
        guard stored.loce == nil else {
            throw ToolError("this is a fine-tuned (stage-2) checkpoint; --from takes the stage-1 checkpoint of detect-train fit",
                            file: path, hint: "continue that fine-tuning with --resume in its own folder, or pass the stage-1 "
                            + "checkpoint it started from")
        }
        try config.requireCompatible(checkpointConfig: stored, checkpoint: path)
        if let ids, ids != plan.categoryIDs {
            throw ToolError("the stage-1 checkpoint was trained on another category table than \(dataset.directory)", file: path,
                            hint: "fine-tune on the shards the baseline was trained on")
        }
        // Refuses NaN or infinite weights, naming the tensor (`TrainingCheckpoint.requireFinite`).
        try TrainingCheckpoint.loadWeights(file, path: path, into: store, requireAll: true)
        logger.info("loaded every stage-1 weight from \(path)")
    }

    /// OUT/checkpoint.safetensors -> store, momentum, sampling, mean scores, memory, hook generator.
    private func resume(into store: ParameterStore, hook: LOCEBoxLoss, sampling: inout SeededRandom, options: FitOptions) throws -> Int {
        let path = options.checkpointPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw ToolError("nothing to resume: no checkpoint", file: path, hint: "run without --resume to start fine-tuning")
        }
        let file = try SafetensorsFile.read(from: path)
        let (stored, ids) = try DetectorCheckpoint.header(of: file, path: path)
        guard stored.loce != nil else {
            throw ToolError("this is a stage-1 checkpoint (from detect-train fit), not a fine-tuning run's", file: path,
                            hint: "pass it with --from and an empty --out folder to start fine-tuning from it")
        }
        try config.requireCompatible(checkpointConfig: stored, checkpoint: path, scope: [""])
        if let ids, ids != plan.categoryIDs {
            throw ToolError("the checkpoint was trained on another category table than \(dataset.directory)", file: path,
                            hint: "resume with the same training shards")
        }
        try DetectorCheckpoint.requireSameTrainingData(file, checkpoint: path, dataset: dataset)
        let state = try TrainingCheckpoint.load(from: path, into: store)
        guard state.step <= plan.totalIterations else {
            throw ToolError("state.step is \(state.step), past the \(plan.totalIterations) iterations of the config's schedule", file: path,
                            hint: "the checkpoint is damaged or from another schedule; resume with the config it was written with")
        }
        sampling = state.random
        do {
            hook.meanScores = try MeanScores(from: file, alpha: Float(loce.meanScoreDecay), backgroundScore: Float(loce.backgroundScore),
                                             classCount: config.classCount)
            if hook.memory != nil {
                hook.memory = try FeatureMemory(from: file, classCount: config.classCount, capacity: loce.memory.queueCapacity,
                                                featureSize: memoryFeatureSize)
            }
        } catch let error as ToolError {
            throw error.inFile(path)
        }
        guard let words = file[Self.hookRandomName], words.elementCount == 4, words.dtype == .int64 else {
            throw ToolError("checkpoint has no tensor \(Self.hookRandomName)", file: path,
                            hint: "resume from a checkpoint written by loce-finetune")
        }
        let stateWords = words.int64Values().map { UInt64(bitPattern: $0) }
        guard stateWords.contains(where: { $0 != 0 }) else {
            throw ToolError("\(Self.hookRandomName) is all zero", file: path, hint: "the checkpoint is damaged; write it again")
        }
        hook.random = SeededRandom(stateWords: stateWords)
        logger.info("resuming from \(path) at iteration \(state.step)")
        return state.step
    }

    static let hookRandomName = "loce.rng"

    private func saveCheckpoint(to path: String, store: ParameterStore, hook: LOCEBoxLoss, state: TrainingState) throws {
        var file = DetectorCheckpoint.file(store: store, state: state, categoryIDs: plan.categoryIDs,
                                           scheduledIterations: plan.totalIterations, trainingData: dataset.manifest)
        hook.meanScores.save(into: &file)
        hook.memory?.save(into: &file)
        file.set(Self.hookRandomName, SafetensorsTensor(int64: hook.random.stateWords.map { Int64(bitPattern: $0) }, shape: [4]))
        try file.write(to: path)
    }
}
