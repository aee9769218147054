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
// the federated loss's class draws <- SeededRandom(seed, stream: 4); data <- `DataRandomness`.
// All generator states are saved in the checkpoint.
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
    /// The fit loop's summary (iterations, skipped instances, speed).
    public var fit: FitSummary
    /// Each iteration's record with LOCE's numbers.
    public var records: [FinetuneRecord]
    /// Images run by the warm-up pass (0 on resume or when switched off).
    public var warmupImages: Int

    public var startIteration: Int { fit.startIteration }
    public var endIteration: Int { fit.endIteration }
    public var imagesPerSecond: Double { fit.imagesPerSecond }
    /// Seconds the training step waited for the loader.
    public var dataWaitSeconds: Double { fit.dataWaitSeconds }
}

/// Stage 2 (`loce-finetune fit`): every stage-1 weight loaded, the warm-up pass, then the
/// shared fit loop with `LOCEBoxLoss` hooked into the box losses (`LOCEFinetuneStage`, one per
/// run), saving the LOCE state with the weights.
public final class LOCEFinetuner {
    /// The run's whole config (resolved).
    public let finetuneConfig: FinetuneConfig
    /// Its detector part and its stage-2 section.
    public let config: DetectorConfig
    public let loce: LOCEConfig
    public let dataset: ShardDataset
    public let logger: Logger
    /// Iterations and learning rate of the stage-2 schedule (uniform order, one pass = an epoch).
    public let schedule: TrainingSchedule
    let loop: FitLoop

    /// `config` must be resolved; the order is uniform (docs/method.md §Stage 2). The box
    /// classifier's score activation is set from `loce.loss` here (left out for softmax), so
    /// config.json and the checkpoint tell `predict` how to score.
    public init(config: FinetuneConfig, dataset: ShardDataset, compute: Compute, logger: Logger) {
        var run = config
        let activation = run.loce.classifierLoss.activation
        run.detector.roiHeads.boxHead.scoreActivation = activation == .softmax ? nil : activation
        finetuneConfig = run
        loce = run.loce
        let config = run.detector
        self.config = config
        self.dataset = dataset
        self.logger = logger
        let seed = config.seed, count = dataset.count
        schedule = TrainingSchedule(solver: config.solver, imagesPerEpoch: count)
        loop = FitLoop(config: finetuneConfig, dataset: dataset, order: { DataRandomness.uniformOrder(count: count, seed: seed, epoch: $0) },
                       schedule: schedule, compute: compute, logger: logger)
    }

    /// C x pooled² x FPN channels floats per memory slot.
    public var memoryFeatureSize: Int {
        config.fpn.channels * config.roiHeads.boxPooler.outputSize * config.roiHeads.boxPooler.outputSize
    }

    /// Runs (or resumes) the fine-tuning (`FitLoop.run`).
    @discardableResult
    public func fit(_ options: FinetuneOptions) throws -> FinetuneSummary {
        if loce.ablation.memorySampling { try requireMemoryFits() }
        let stage = LOCEFinetuneStage(finetuner: self, baseCheckpoint: options.baseCheckpoint)
        let fit = try loop.run(stage, options: options.fit)
        return FinetuneSummary(fit: fit, records: stage.records, warmupImages: stage.warmupImages)
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
    func loadBase(_ path: String, into store: ParameterStore) throws {
        let file = try SafetensorsFile.read(from: path, hint: "pass the checkpoint.safetensors written by `detect-train fit`")
        let (stored, ids) = try DetectorCheckpoint.header(of: file, path: path)
        guard stored.sections.isEmpty else {
            throw ToolError("this is a fine-tuned (stage-2) checkpoint; --from takes the stage-1 checkpoint of detect-train fit",
                            file: path, hint: "continue that fine-tuning with --resume in its own folder, or pass the stage-1 "
                            + "checkpoint it started from")
        }
        try config.requireCompatible(checkpointConfig: stored.detector, checkpoint: path)
        if let ids, ids != loop.categoryIDs {
            throw ToolError("the stage-1 checkpoint was trained on another category table than \(dataset.directory)", file: path,
                            hint: "fine-tune on the shards the baseline was trained on")
        }
        // Refuses NaN or infinite weights, naming the tensor (`TrainingCheckpoint.requireFinite`).
        let adapted = config.roiHeads.boxHead.scoreActivation == .seesawObjectness
            ? try Self.withObjectnessPair(file, classCount: config.classCount, path: path) : file
        try TrainingCheckpoint.loadWeights(adapted, path: path, into: store, requireAll: true)
        logger.info("loaded every stage-1 weight from \(path)"
                    + (adapted == file ? "" : " (Seesaw's objectness pair made from the softmax classifier)"))
    }

    static let classifierWeight = "roi_heads.box_predictor.cls_score.weight", classifierBias = "roi_heads.box_predictor.cls_score.bias"

    /// A stage-1 softmax classifier (C + 1 rows, background last) turned into Seesaw's C + 2: the
    /// C class rows kept, then the objectness pair — foreground = the mean class row with log C
    /// added to its bias (log Σ exp z_c at equal class logits), background = the background row.
    static func withObjectnessPair(_ file: SafetensorsFile, classCount c: Int, path: String) throws -> SafetensorsFile {
        guard let weight = file[classifierWeight], let bias = file[classifierBias], weight.shape.count == 2,
              weight.shape[0] == c + 1, bias.elementCount == c + 1 else {
            return file  // loadWeights names what does not fit
        }
        let d = weight.shape[1]
        var w = weight.floatValues(), b = bias.floatValues()
        let background = Array(w[(c * d)..<((c + 1) * d)]), backgroundBias = b[c]
        w.removeLast(d); b.removeLast()
        var mean = [Double](repeating: 0, count: d)
        for row in 0..<c { for j in 0..<d { mean[j] += Double(w[row * d + j]) } }
        w += mean.map { Float($0 / Double(c)) } + background
        b += [Float(Double(b.reduce(0, +)) / Double(c) + Foundation.log(Double(c))), backgroundBias]
        var adapted = file
        adapted.set(classifierWeight, SafetensorsTensor(float32: w, shape: [c + 2, d]))
        adapted.set(classifierBias, SafetensorsTensor(float32: b, shape: [c + 2]))
        return adapted
    }

    /// A resumed run's LOCE state from its checkpoint: mean scores, memory, the hook's generator,
    /// the classifier loss's state.
    func restore(_ hook: LOCEBoxLoss, from file: SafetensorsFile, checkpoint path: String) throws {
        do {
            hook.meanScores = try MeanScores(from: file, alpha: Float(loce.meanScoreDecay), backgroundScore: Float(loce.backgroundScore),
                                             classCount: config.classCount)
            if hook.memory != nil {
                hook.memory = try FeatureMemory(from: file, classCount: config.classCount, capacity: loce.memory.queueCapacity,
                                                featureSize: memoryFeatureSize)
            }
            try hook.loss.restore(from: file)
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
    }

    static let hookRandomName = "loce.rng"
    /// The federated loss's class draws (`BoxClassifierLoss`).
    static let lossRandomStream: UInt64 = 4

    /// The detector checkpoint plus the LOCE state (mean scores, memory, the hook's generator).
    func saveCheckpoint(to path: String, store: ParameterStore, hook: LOCEBoxLoss, state: TrainingState) throws {
        var file = DetectorCheckpoint.file(store: store, state: state, categoryIDs: loop.categoryIDs,
                                           scheduledIterations: schedule.totalIterations, trainingData: dataset.manifest)
        hook.meanScores.save(into: &file)
        hook.memory?.save(into: &file)
        hook.loss.save(into: &file)
        file.set(Self.hookRandomName, SafetensorsTensor(int64: hook.random.stateWords.map { Int64(bitPattern: $0) }, shape: [4]))
        try file.write(to: path)
    }
}
