// Stage 1 (`detect-train fit`): the whole detector trained from scratch or from a pretrained
// backbone, as the `FitStage` of the shared fit loop (`FitLoop`: schedule, batches, log,
// checkpoints, resume, stops), plus the options and summary types both stages use.
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
    /// Evaluate the model every so many iterations (`fit --val`); nil = never.
    public var validation: FitValidation?
    /// The job's ranks (MPI): each computes its share of every batch; rank 0 writes.
    public var processes: ProcessGroup

    public init(outputDirectory: String, resume: Bool = false, stopAfter: Int? = nil, prefetchBatches: Int = 2,
                stopRequested: @escaping @Sendable () -> Int32? = { nil }, pretrainedBackbone: String? = nil,
                profile: Bool = false, validation: FitValidation? = nil, processes: ProcessGroup = .single) {
        self.outputDirectory = outputDirectory
        self.resume = resume
        self.stopAfter = stopAfter
        self.prefetchBatches = prefetchBatches
        self.stopRequested = stopRequested
        self.pretrainedBackbone = pretrainedBackbone
        self.profile = profile
        self.validation = validation
        self.processes = processes
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
    /// The checkpoint of the best validation score so far (`fit --val`).
    public var bestCheckpointPath: String { outputDirectory + "/best.safetensors" }
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

public final class DetectorTrainer: FitStage {
    /// Resolved (class count set); `seed` is the run's seed.
    public let config: DetectorConfig
    public let dataset: ShardDataset
    public let schedule: TrainingSchedule
    public let logger: Logger
    private let loop: FitLoop

    /// - Parameters:
    ///   - order: the dataset records of each epoch (a pure function of the epoch).
    ///   - imagesPerEpoch: images in an epoch (for epoch-unit schedules).
    public init(config: DetectorConfig, dataset: ShardDataset, order: @escaping @Sendable (Int) -> [Int], imagesPerEpoch: Int,
                compute: Compute, logger: Logger) {
        precondition(config.roiHeads.numClasses != nil, "the trainer needs a resolved config")
        self.config = config
        self.dataset = dataset
        schedule = TrainingSchedule(solver: config.solver, imagesPerEpoch: imagesPerEpoch)
        self.logger = logger
        loop = FitLoop(config: config, dataset: dataset, order: order, schedule: schedule, compute: compute, logger: logger)
    }

    /// Runs (or resumes) the fit (`FitLoop.run`).
    @discardableResult
    public func fit(_ options: FitOptions) throws -> FitSummary {
        try loop.run(self, options: options)
    }

    // MARK: FitStage

    public var progressLabel: String { "fit" }
    public var runName: String { "training" }

    /// The config's pretrained backbone, when it names one.
    public func startFresh(store: ParameterStore, options: FitOptions) throws {
        guard let path = options.pretrainedBackbone else { return }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ToolError.io("the config's backbone.pretrained file is missing", file: path,
                               hint: "make it as README.md says (scripts/convert_torchvision_resnet50.py), or set "
                               + "backbone.pretrained to null to train the backbone from scratch")
        }
        let count = try MaskRCNN.loadPretrainedBackbone(path: path, into: store)
        logger.info("loaded \(count) pretrained backbone tensors from \(path)")
    }

    public func prepare(model: MaskRCNN, store: ParameterStore, context: ModuleContext, settings: TrainingSettings,
                        sampling: inout SeededRandom, resumed: Bool, options: FitOptions) throws {}

    public func losses(model: MaskRCNN, images: Tensor, targets: [TrainingImageTargets], settings: TrainingSettings,
                       context: ModuleContext, sampling: inout SeededRandom, phases: PhaseClock?) -> TrainingLosses {
        model.trainingStep(images, targets: targets, settings: settings, context: context, random: &sampling, phases: phases)
    }

    public func logLine(_ record: IterationRecord) -> String { record.jsonLine() }

    /// Stage 1 keeps no batch-level state: its images can be computed apart (and on other ranks).
    public var supportsExactGradientSum: Bool { true }

    public func saveCheckpoint(to path: String, store: ParameterStore, state: TrainingState, loop: FitLoop) throws {
        try DetectorCheckpoint.save(to: path, store: store, state: state, categoryIDs: loop.categoryIDs,
                                    scheduledIterations: loop.schedule.totalIterations, trainingData: dataset.manifest)
    }
}
