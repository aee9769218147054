// `lvis-prep synth`: writes the synthetic long-tailed dataset (LVIS v1 json + JPEG images).
import ArgumentParser
import SharedData
import SharedSupport

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write the synthetic long-tailed dataset in LVIS v1 format (json + JPEG images).",
        discussion: """
        Example:
          lvis-prep synth --out data/synth --seed 1
          lvis-prep synth --out data/synth-steep --seed 1 --imbalance 2 --categories 200
        Writes OUT/lvis_v1_train.json, OUT/lvis_v1_val.json, OUT/train2017/*.jpg, OUT/val2017/*.jpg.
        Ctrl-C or SIGTERM stops it with exit 130 / 143 and nothing new in OUT (the images are
        rendered into a hidden OUT/.synth-partial-HOST-PID folder, which the next run removes
        if the process was killed outright).
        """)

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Seed; the same seed gives the same bytes.")
    var seed: UInt64 = 1

    /// Image ids: training 1...N, validation from 1,000,001, so each split holds at most a million.
    static let imageCountRange = OptionRange(1...1_000_000)

    @Option(parsing: .unconditional, help: "Training images (\(SynthCommand.imageCountRange)).")
    var trainImages: Int = SynthConfig.standard.trainImages

    @Option(parsing: .unconditional, help: "Validation images (\(SynthCommand.imageCountRange)).")
    var valImages: Int = SynthConfig.standard.valImages

    static let categoryRange = OptionRange(3...SynthConfig.maximumCategories)

    @Option(parsing: .unconditional,
            help: "Categories (\(SynthCommand.categoryRange)), split rare / common / frequent in LVIS v1's proportions.")
    var categories: Int = SynthConfig.standard.categoryCount

    @Option(parsing: .unconditional,
            help: ArgumentHelp("The tail's steepness, 0-10: a category's training-image target n becomes M (n / M)^X, M the frequent classes' ceiling. "
                               + "1 = LVIS v1's shape, 2 = a longer tail, 0.5 = flatter, 0 = balanced.", valueName: "X"))
    var imbalance: Double = 1

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        try Self.imageCountRange.check(trainImages, option: "--train-images")
        try Self.imageCountRange.check(valImages, option: "--val-images")
        try Self.categoryRange.check(categories, option: "--categories")
        guard imbalance.isFinite, (0...10).contains(imbalance) else {
            throw ValidationError("--imbalance must be in 0-10, got \(imbalance)")
        }
    }

    func run() throws {
        try PathChecks.requireOutputDirectory(out, option: "--out", files: ["lvis_v1_train.json", "lvis_v1_val.json", "synth-config.json"])
        let context = try runtime.makeContext(tool: LvisPrep.toolName, usesBLAS: false)
        var config = SynthConfig.standard
        config.trainImages = trainImages
        config.valImages = valImages
        config.setCategories(categories)
        config.imbalance = imbalance
        let clock = Stopwatch()
        StopSignals.install()
        let summary = try SynthGenerator(config: config, seed: seed).write(to: out, logger: context.logger, parallelism: context.parallelism,
                                                                           stopRequested: StopSignals.received)
        let seconds = clock.elapsed
        if summary.categoriesWithoutTrainingImages > 0 {
            context.logger.warning("\(summary.categoriesWithoutTrainingImages) of \(summary.categories) categories got no training image (listed as rare with image_count 0); use more --train-images (default \(SynthConfig.standard.trainImages)) for every category to appear")
        }
        context.logger.info("\(summary.images) images, \(summary.instances) instances in \(String(format: "%.1f", seconds)) s (\(Int(Double(summary.images) / max(seconds, 1e-9))) img/s)")
        let output = StandardOutput()
        var json = JSONWriter()
        json.beginObject()
        json.key("out"); json.value(out)
        json.key("seed"); json.value(Int(truncatingIfNeeded: seed))
        json.key("trainImages"); json.value(trainImages)
        json.key("valImages"); json.value(valImages)
        json.key("categories"); json.value(summary.categories)
        json.key("instances"); json.value(summary.instances)
        json.key("seconds"); json.value(seconds)
        json.endObject()
        output.write(json.text + "\n")
        output.flush()
    }
}
