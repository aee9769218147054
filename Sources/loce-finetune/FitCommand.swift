// `loce-finetune fit`: stage 2 of LOCE on a shard folder, from a stage-1 checkpoint; writes
// OUT/{checkpoint.safetensors, config.json, log.jsonl}. The checkpoint is a normal detector
// checkpoint (`detect-train predict` runs it) plus the mean scores and the feature memory.
import ArgumentParser
import Foundation
import SharedSupport
import SharedTensor
import SharedData
import SharedDetection
import SharedLongTail

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fine-tune a stage-1 checkpoint with Equilibrium Loss and Memory-augmented Feature Sampling.",
        discussion: """
        Loads every stage-1 weight from --from, freezes backbone, FPN and the shared
        box FCs, runs the category-balanced warm-up pass, then trains RPN head,
        classifier, regressor and mask head on the config's schedule. Writes
        OUT/checkpoint.safetensors, OUT/config.json and OUT/log.jsonl (one JSON line
        per iteration, with the mean scores of the rare/common/frequent groups).

        The box classifier's loss is the config's loce.loss (default ebl), or --loss:
        \(BoxClassifierLossKind.allCases.map { "  " + $0.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0) + $0.reference }
            .joined(separator: "\n"))
        MFS works with every loss (--no-mfs switches it off). eqlv2, ecm and
        federated train sigmoid scores, seesaw C + 2 logits (classes, then an
        objectness pair); the checkpoint records it, so predict scores the same way.
        --val SHARDS --val-gt JSON evaluates the model every --val-every iterations
        (log.jsonl "val" lines; OUT/best.safetensors keeps the best --best-metric).
        Example:
          loce-finetune fit --config pipelines/configs/tiny-loce.json \\
            --from work/baseline/checkpoint.safetensors --train work/shards/train --out work/loce
          loce-finetune fit --config pipelines/configs/tiny-loce.json --loss seesaw \\
            --from work/baseline/checkpoint.safetensors --train work/shards/train \\
            --out work/seesaw
        Across machines (MPI), with --gradient-sum exact (losses ebl and ce): each
        rank computes its share of every batch from the iteration's mean scores and
        memory, every image's observations and memory pushes then enter them in batch
        order; the checkpoint has the same bits at any rank count; rank 0 writes OUT:
          mpirun -np 2 loce-finetune fit --config pipelines/configs/tiny-loce.json \\
            --gradient-sum exact --from work/baseline/checkpoint.safetensors \\
            --train work/shards/train --out work/loce
        """)

    @Option(name: .long, help: ArgumentHelp("Stage-2 config (a *-loce preset from pipelines/configs).", valueName: "FILE.json"))
    var config: String

    @Option(name: .customLong("from"), help: ArgumentHelp("Stage-1 checkpoint (from `detect-train fit`).", valueName: "CHECKPOINT"))
    var base: String

    @Option(name: .long, help: ArgumentHelp("Training shard folder (the one the baseline was trained on).", valueName: "SHARDS"))
    var train: String

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "DIR"))
    var out: String

    @Flag(name: .long, help: "Continue from OUT/checkpoint.safetensors (weights, mean scores, memory: identical losses).")
    var resume = false

    @Flag(name: .customLong("no-ebl"), help: "Ablation: plain cross-entropy instead of the Equilibrium Loss (the same as --loss ce).")
    var noEquilibriumLoss = false

    @Option(name: .long, help: ArgumentHelp("The box classifier's loss (default: the config's loce.loss, else ebl).",
                                            valueName: BoxClassifierLossKind.allCases.map(\.rawValue).joined(separator: "|")))
    var loss: BoxClassifierLossKind?

    @Flag(name: .customLong("no-mfs"), help: "Ablation: no memory-augmented feature sampling.")
    var noMemorySampling = false

    @Option(name: .long, parsing: .unconditional,
            help: "Stop after this many iterations in total, \(FitCommand.iterationRange) (the learning-rate schedule stays the config's).")
    var iterations: Int?

    @Option(name: .long, help: "How a batch's gradient is formed (default: the config's solver.gradientSum): batch = one pass over the batch; exact = one pass per image from the iteration's mean scores and memory, summed exactly (the same bits at any MPI rank count; needed with several ranks; losses ebl and ce).")
    var gradientSum: GradientSum?

    @Option(name: .long, help: "Seed of data order, augmentation and sampling (default: the config's).")
    var seed: UInt64?

    @Flag(name: .long, help: "Add the milliseconds of each phase to every log line: \"phases_ms\" {data, backbone_fpn_forward, rpn, proposals, box_head, mask_head, backward, optimizer}.")
    var profile = false

    @OptionGroup(title: "Validation during training") var validation: ValidationOptions

    @OptionGroup var runtime: RuntimeOptions

    static let iterationRange = OptionRange(1...100_000_000)

    func validate() throws {
        try Self.iterationRange.check(iterations, option: "--iterations")
        if noEquilibriumLoss, let loss, loss != .ebl, loss != .ce {
            throw ValidationError("--no-ebl is the ce loss; it cannot go with --loss \(loss.rawValue)")
        }
        if out.isEmpty { throw ValidationError("--out must name a folder") }
    }

    func run() throws {
        try checkPaths()
        try validation.checkPaths()
        let context = try runtime.makeContext(tool: LoceFinetune.toolName, usesBLAS: true, acrossRanks: true)
        // A stage-1 config (no loce section) is refused as a usage error (`FinetuneConfig.load`).
        let (dataset, loaded) = try TrainingInputs.open(trainPath: train, configPath: config, logger: context.logger) { path, classes in
            try FinetuneConfig.load(path: path).resolved(numClasses: classes)
        }
        var resolved = loaded
        if let seed { resolved.detector.seed = seed }
        if let gradientSum { resolved.detector.solver.gradientSum = gradientSum }
        // The switches are part of the run's config: config.json and the checkpoint record them.
        if noEquilibriumLoss { resolved.loce.ablation.equilibriumLoss = false }
        if let loss {
            // Another loss replaces the config's, and the settings of the one it replaces.
            if loss != resolved.loce.loss { (resolved.loce.seesaw, resolved.loce.eqlv2, resolved.loce.ecm, resolved.loce.federated) = (nil, nil, nil, nil) }
            resolved.loce.loss = loss
        }
        try resolved.validate(file: config)
        if noMemorySampling { resolved.loce.ablation.memorySampling = false }
        let finetuner = LOCEFinetuner(config: resolved, dataset: dataset,
                                      compute: try Compute.load(threads: context.parallelism.threads), logger: context.logger)
        let fitValidation = try TrainingValidation.make(validation, defaultEvery: resolved.solver.checkpointPeriod, outputDirectory: out,
                                                        trainingCategoryIDs: dataset.categoryIDsByIndex,
                                                        threads: context.parallelism.threads)
        StopSignals.install()
        try finetuner.fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: out, resume: resume, stopAfter: iterations,
                                                                                stopRequested: StopSignals.received, profile: profile,
                                                                                validation: fitValidation, processes: context.processes)))
    }
}

extension BoxClassifierLossKind: ExpressibleByArgument {}
extension GradientSum: ExpressibleByArgument {}
