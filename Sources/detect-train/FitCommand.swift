// `detect-train fit`: trains the stage-1 Mask R-CNN on a shard folder and writes
// OUT/{checkpoint.safetensors, config.json, log.jsonl}.
import ArgumentParser
import Foundation
import SharedSupport
import SharedTensor
import SharedData
import SharedDetection
import SharedLongTail

extension GradientSum: ExpressibleByArgument {}

/// `--sampler`: how training images are drawn each epoch.
enum SamplerChoice: String, ExpressibleByArgument, CaseIterable {
    case uniform, rfs
}

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Train the stage-1 Mask R-CNN on shards.",
        discussion: """
        Writes OUT/checkpoint.safetensors (every solver.checkpointPeriod
        iterations and at the end), OUT/config.json (the resolved config) and
        OUT/log.jsonl (one JSON line per iteration). The same --seed and
        --threads give the same losses, also across --resume.
        Example:
          detect-train fit --config pipelines/configs/tiny.json \\
            --train work/shards/train --out work/baseline
        With --val SHARDS --val-gt JSON the model is evaluated (box and mask AP,
        APr/APc/APf, as detect-eval) every --val-every iterations and after the
        last: a {"iteration", "val"} line in OUT/log.jsonl, and
        OUT/best.safetensors holds the iteration with the best --best-metric:
          detect-train fit --config pipelines/configs/tiny.json --train S/train \\
            --out W/baseline --val S/val --val-gt D/lvis_v1_val.json --val-every 500
        Across machines (MPI: mpirun, or srun --mpi=pmix): every rank computes
        its share of each batch (solver.imagesPerBatch is the global batch),
        with --gradient-sum exact (solver.gradientSum) the checkpoint has the
        same bits at any rank count; rank 0 writes OUT; --threads is per rank:
          mpirun -np 2 detect-train fit --config pipelines/configs/tiny.json \\
            --gradient-sum exact --train work/shards/train --out work/baseline
        """)

    @Option(name: .long, help: ArgumentHelp("Typed config (a preset from pipelines/configs).", valueName: "FILE.json"))
    var config: String

    @Option(name: .long, help: ArgumentHelp("Training shard folder (from `lvis-prep convert`).", valueName: "SHARDS"))
    var train: String

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "DIR"))
    var out: String

    @Flag(name: .long, help: "Continue from OUT/checkpoint.safetensors (same config, seed and threads: identical losses).")
    var resume = false

    @Option(name: .long, help: "Image sampler (default: the config's input.sampler; LOCE uses uniform).")
    var sampler: SamplerChoice?

    @Option(name: .long, parsing: .unconditional,
            help: "Stop after this many iterations in total, \(FitCommand.iterationRange) (the learning-rate schedule stays the config's).")
    var iterations: Int?

    @Option(name: .long, help: "How a batch's gradient is formed (default: the config's solver.gradientSum): batch = one pass over the batch; exact = one pass per image, summed exactly (the same bits at any MPI rank count; needed with several ranks).")
    var gradientSum: GradientSum?

    @Option(name: .long, help: "Seed of initialisation, data order, augmentation and sampling (default: the config's).")
    var seed: UInt64?

    @Flag(name: .long, help: "Add the milliseconds of each phase to every log line: \"phases_ms\" {data, backbone_fpn_forward, rpn, proposals, box_head, mask_head, backward, optimizer}.")
    var profile = false

    @OptionGroup(title: "Validation during training") var validation: ValidationOptions

    @OptionGroup var runtime: RuntimeOptions

    static let iterationRange = OptionRange(1...100_000_000)

    func validate() throws {
        try Self.iterationRange.check(iterations, option: "--iterations")
        if out.isEmpty { throw ValidationError("--out must name a folder") }
    }

    func run() throws {
        try checkPaths()
        try validation.checkPaths()
        let context = try runtime.makeContext(tool: DetectTrain.toolName, usesBLAS: true, acrossRanks: true)
        // A stage-2 config (with a loce section) is refused: it is loce-finetune's.
        let (dataset, loaded) = try TrainingInputs.open(trainPath: train, configPath: config, logger: context.logger) { path, classes in
            try FinetuneConfig.loadStageOne(path: path).resolved(numClasses: classes)
        }
        var resolved = loaded
        if let seed { resolved.seed = seed }
        if let gradientSum { resolved.solver.gradientSum = gradientSum }
        if let sampler { resolved.input.sampler = sampler == .rfs ? .rfs : .uniform }
        let (order, imagesPerEpoch) = try TrainingOrder.make(config: resolved, dataset: dataset, logger: context.logger)
        let trainer = DetectorTrainer(config: resolved, dataset: dataset, order: order, imagesPerEpoch: imagesPerEpoch,
                                      compute: try Compute.load(threads: context.parallelism.threads), logger: context.logger)
        let fitValidation = try TrainingValidation.make(validation, defaultEvery: resolved.solver.checkpointPeriod, outputDirectory: out,
                                                        trainingCategoryIDs: dataset.categoryIDsByIndex,
                                                        threads: context.parallelism.threads)
        StopSignals.install()
        try trainer.fit(FitOptions(outputDirectory: out, resume: resume, stopAfter: iterations, stopRequested: StopSignals.received,
                                   pretrainedBackbone: resolved.backbone.pretrainedPath(relativeTo: config), profile: profile,
                                   validation: fitValidation, processes: context.processes))
    }
}
