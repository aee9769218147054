// One stage-2 run inside the shared fit loop: the `FitStage` that holds the run's LOCE state
// (the box-loss hook: mean scores, feature memory, its generator), loads the stage-1 weights
// or restores a resumed run's state, runs the warm-up pass before the first iteration, hooks
// the equilibrium loss and memory samples into every training step, adds LOCE's numbers to
// each log line and saves its state in every checkpoint.
import SharedSupport
import SharedTensor
import SharedNN
import SharedData
import SharedDetection

final class LOCEFinetuneStage: FitStage {
    let finetuner: LOCEFinetuner
    let baseCheckpoint: String
    /// s at the initial score, empty queues, stream 2 of the seed (restored on resume).
    let hook: LOCEBoxLoss
    /// The frequency group of each class index (for the log's group means).
    let groups: [FrequencyGroup]
    private(set) var records: [FinetuneRecord] = []
    private(set) var warmupImages = 0

    init(finetuner: LOCEFinetuner, baseCheckpoint: String) {
        self.finetuner = finetuner
        self.baseCheckpoint = baseCheckpoint
        let config = finetuner.config, loce = finetuner.loce
        let loss = BoxClassifierLoss(config: loce, classCount: config.classCount,
                                     imageCounts: finetuner.dataset.categories.map(\.imageCount),
                                     random: SeededRandom(seed: config.seed, stream: LOCEFinetuner.lossRandomStream))
        hook = LOCEBoxLoss(config: loce, classCount: config.classCount, featureSize: finetuner.memoryFeatureSize,
                           loss: loss, memorySampling: loce.ablation.memorySampling,
                           random: SeededRandom(seed: config.seed, stream: 2))
        groups = finetuner.dataset.categories.map(\.group)
    }

    var progressLabel: String { "finetune" }
    var runName: String { "fine-tuning" }
    var divergenceNote: String? { "the stage-1 weights, mean scores and memory were checked finite when loaded" }

    func startFresh(store: ParameterStore, options: FitOptions) throws {
        try finetuner.loadBase(baseCheckpoint, into: store)
    }

    func requireResumable(stored: CheckpointConfig, checkpoint path: String) throws {
        // A stage-2 checkpoint's config decodes as a whole (its loce section validated); the
        // loop then requires it to be this run's, field by field, loce included.
        guard try FinetuneConfig.stored(in: stored, checkpoint: path) != nil else {
            throw ToolError("this is a stage-1 checkpoint (from detect-train fit), not a fine-tuning run's", file: path,
                            hint: "pass it with --from and an empty --out folder to start fine-tuning from it")
        }
    }

    func restoreState(from file: SafetensorsFile, checkpoint path: String) throws {
        try finetuner.restore(hook, from: file, checkpoint: path)
    }

    func prepare(model: MaskRCNN, store: ParameterStore, context: ModuleContext, settings: TrainingSettings,
                 sampling: inout SeededRandom, resumed: Bool, options: FitOptions) throws {
        let config = finetuner.config, loce = finetuner.loce, logger = finetuner.logger
        let frozen = store.parameters.filter { store.isFrozen($0) }.count
        logger.info("fine-tuning: \(config.preset), \(config.classCount) classes, \(finetuner.dataset.count) images; \(frozen) of "
                    + "\(store.parameters.count) parameter tensors frozen (\(loce.frozen.map(\.rawValue).joined(separator: ", "))); "
                    + "\(lossDescription(loce)), MFS \(loce.ablation.memorySampling ? "on" : "off")")
        if loce.ablation.memorySampling {
            let featureSize = finetuner.memoryFeatureSize
            let bytes = FeatureMemory.byteCount(classCount: config.classCount, capacity: loce.memory.queueCapacity, featureSize: featureSize)
            logger.info(String(format: "feature memory: %d classes x %d x %d floats = %.1f MiB", config.classCount,
                               loce.memory.queueCapacity, featureSize, Double(bytes) / 1_048_576))
        }
        if !resumed && loce.ablation.balancedWarmup && loce.warmupImagesPerCategory > 0 {
            let exact = finetuner.config.solver.resolvedGradientSum == .exact
            warmupImages = try finetuner.warmup(model: model, hook: hook, settings: settings, context: context, sampling: &sampling,
                                                stopRequested: options.stopRequested,
                                                perImage: exact ? { number, batches in
                                                    try self.exactWarmupBatch(number, batches: batches, model: model, settings: settings,
                                                                              context: context, processes: options.processes)
                                                } : nil)
        }
    }

    /// "EBL on" / "EBL off" as before other losses existed, else the loss's name.
    func lossDescription(_ loce: LOCEConfig) -> String {
        switch loce.classifierLoss {
        case .ebl: return "EBL on"
        case .ce: return "EBL off"
        case let other: return "loss \(other.rawValue), EBL off"
        }
    }

    func losses(model: MaskRCNN, images: Tensor, targets: [TrainingImageTargets], settings: TrainingSettings,
                context: ModuleContext, sampling: inout SeededRandom, phases: PhaseClock?) -> TrainingLosses {
        model.trainingStep(images, targets: targets, settings: settings, context: context, random: &sampling,
                           boxLossExtension: hook, phases: phases)
    }

    // MARK: - Exact gradient sum (images apart, on any rank)

    /// EBL's mean scores and MFS's memory are stage state the exact sum handles (each image
    /// from the iteration's starting state, then every image's observations and pushes in batch
    /// order); the other losses' own state (Seesaw's counts, EQLv2's statistics, the federated
    /// draws) is not handled yet.
    var supportsExactGradientSum: Bool { [.ebl, .ce].contains(finetuner.loce.classifierLoss) }
    var exactGradientSumLimit: String? {
        "it handles the mean scores and memory of loss ebl and ce, not the state of \(finetuner.loce.classifierLoss.rawValue)"
    }

    /// s at the iteration's start, put back after each image's pass.
    private var iterationScores: MeanScores?
    /// The hook's generator at the iteration's start (each image draws from its own).
    private var iterationRandom: SeededRandom?

    func beginImage(iteration: Int, position: Int) {
        iterationScores = hook.meanScores
        iterationRandom = hook.random
        hook.observationLog = []
        if let memory = hook.memory { hook.mfs!.journal = memory.startJournal() }
        hook.random = FitLoop.imageRandom(seed: finetuner.config.seed, iteration: iteration, position: position,
                                          domain: Self.imageRandomDomain)
    }

    /// The image's observations (class, value), its memory pushes (class, feature, target) and
    /// its memory-row count; then s, the memory and the generator as at the iteration's start.
    func endImage() -> [UInt8] {
        var message = RankMessageWriter()
        let observations = hook.observationLog ?? []
        message.append(observations.count)
        for observation in observations {
            message.append(observation.classIndex)
            message.append(Double(observation.value))
        }
        let journal = hook.mfs?.journal
        message.append(journal?.written.count ?? 0)
        for entry in journal?.written ?? [] {
            message.append(entry.classIndex)
            message.append(entry.feature)
            message.append(entry.target)
        }
        message.append(hook.lastMemorySampleCount)
        if let journal {
            hook.mfs!.memory.rollBack(journal)
            hook.mfs!.journal = nil
        }
        hook.observationLog = nil
        hook.meanScores = iterationScores!
        hook.random = iterationRandom!
        return message.bytes
    }

    /// Every image's pushes enter the memory and its observations s (one update, as the
    /// reference's all-gathered `_update_mean_score`), in batch order.
    func endIteration(_ contributions: [[UInt8]]) {
        var observations: [MeanScoreObservation] = [], memoryRows = 0
        for contribution in contributions {
            var reader = RankMessageReader(contribution)
            for _ in 0..<reader.int() {
                let classIndex = reader.int()
                observations.append(MeanScoreObservation(classIndex: classIndex, value: Float(reader.double())))
            }
            for _ in 0..<reader.int() {
                let classIndex = reader.int(), feature = reader.floats(), target = reader.floats()
                hook.mfs!.memory.push(classIndex: classIndex, feature: feature,
                                      target: BoxDelta(dx: target[0], dy: target[1], dw: target[2], dh: target[3]))
            }
            memoryRows += reader.int()
        }
        hook.meanScores.update(with: observations)
        hook.lastMemorySampleCount = memoryRows
    }

    /// The domain of the hook's per-image generators (jitter and memory draws).
    static let imageRandomDomain: UInt64 = 0x2545_F491_4F6C_DD1D

    /// Warm-up batch `number` with the exact gradient sum: this rank's images of it, each from
    /// the batch's starting s and memory (its draws from "iteration" -1 - number, apart from
    /// the training iterations'), then every rank's changes in batch order — as a training
    /// iteration's, without loss or backward. The same s and memory at any rank count.
    func exactWarmupBatch(_ number: Int, batches: TrainingBatches, model: MaskRCNN, settings: TrainingSettings,
                          context: ModuleContext, processes: ProcessGroup) throws {
        let config = finetuner.config
        let share = try DataParallelShare(processes: processes, batchSize: config.solver.imagesPerBatch, gradientSum: .exact)
        let warmupIteration = -1 - number
        var message = RankMessageWriter()
        for (part, position) in zip(try batches.images(iteration: number, positions: share.positions), share.positions) {
            try BatchTargets.requireFiniteTargets(part, shards: finetuner.dataset.directory)
            let (targets, _) = BatchTargets.targets(part)
            beginImage(iteration: warmupIteration, position: position)
            var sampling = FitLoop.imageSampling(seed: config.seed, iteration: warmupIteration, position: position)
            LOCEFinetuner.warmupForward(model: model, images: BatchTargets.imageTensor(part), targets: targets, settings: settings,
                                        context: context, random: &sampling, hook: hook)
            message.append(bytes: endImage())
        }
        var changes: [[UInt8]] = []
        for piece in processes.allgatherVariable(message.bytes) {
            var reader = RankMessageReader(piece)
            while !reader.isAtEnd { changes.append(reader.piece()) }
        }
        endIteration(changes)
    }

    func logLine(_ record: IterationRecord) -> String {
        let full = FinetuneRecord(base: record, groupMeanScores: LOCEFinetuner.groupMeans(hook.meanScores, groups: groups),
                                  memorySamples: hook.lastMemorySampleCount)
        records.append(full)
        return full.jsonLine()
    }

    func progressStatus(_ losses: TrainingLosses, rate: Float) -> String {
        String(format: "loss %.3f (cls %.3f) lr %.2g", Double(losses.total), Double(losses.boxClassification), Double(rate))
    }

    func saveCheckpoint(to path: String, store: ParameterStore, state: TrainingState, loop: FitLoop) throws {
        try finetuner.saveCheckpoint(to: path, store: store, hook: hook, state: state)
    }
}
