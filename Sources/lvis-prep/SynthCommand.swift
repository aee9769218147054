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
        Writes OUT/lvis_v1_train.json, OUT/lvis_v1_val.json, OUT/train2017/*.jpg, OUT/val2017/*.jpg.
        """)

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Seed; the same seed gives the same bytes.")
    var seed: UInt64 = 1

    @Option(help: "Training images.")
    var trainImages: Int = SynthConfig.standard.trainImages

    @Option(help: "Validation images.")
    var valImages: Int = SynthConfig.standard.valImages

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard trainImages >= 1, valImages >= 1 else { throw ValidationError("--train-images and --val-images must be at least 1") }
    }

    func run() throws {
        let context = try runtime.makeContext(tool: LvisPrep.toolName, usesBLAS: false)
        var config = SynthConfig.standard
        config.trainImages = trainImages
        config.valImages = valImages
        let clock = Stopwatch()
        let summary = try SynthGenerator(config: config, seed: seed).write(to: out, logger: context.logger, parallelism: context.parallelism)
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
