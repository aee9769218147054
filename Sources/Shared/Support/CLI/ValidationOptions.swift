// The options of validation during training, taken by `detect-train fit` and
// `loce-finetune fit`: `--val SHARDS --val-gt JSON [--val-every N] [--best-metric AP|APr|APc|APf]`.
// The validation itself (predict + evaluate the live model) is LongTail's `TrainingValidation`.
import ArgumentParser

public struct ValidationOptions: ParsableArguments, Sendable {
    public static let everyRange = OptionRange(1...100_000_000)
    public static let metrics = ["AP", "APr", "APc", "APf"]

    @Option(name: .customLong("val"), help: ArgumentHelp("Validation shard folder: evaluate the model during training (with --val-gt).",
                                                         valueName: "SHARDS"))
    public var shards: String?

    @Option(name: .customLong("val-gt"), help: ArgumentHelp("The validation split's annotation json (LVIS or COCO), as detect-eval --gt.",
                                                             valueName: "JSON"))
    public var groundTruth: String?

    @Option(name: .customLong("val-every"), parsing: .unconditional,
            help: "Iterations between validations, \(ValidationOptions.everyRange) (also after the last one). (default: the checkpoint period)")
    public var every: Int?

    @Option(name: .customLong("best-metric"),
            help: ArgumentHelp("Mask AP stat that OUT/best.safetensors maximises: \(ValidationOptions.metrics.joined(separator: "|")).",
                               valueName: "NAME"))
    public var bestMetric = "AP"

    public init() {}

    public func validate() throws {
        try Self.everyRange.check(every, option: "--val-every")
        if (shards == nil) != (groundTruth == nil) { throw ValidationError("--val and --val-gt go together: pass both or neither") }
        if shards == nil && every != nil { throw ValidationError("--val-every needs --val SHARDS --val-gt JSON") }
        if !Self.metrics.contains(bestMetric) {
            throw ValidationError("--best-metric must be one of \(Self.metrics.joined(separator: ", ")) (got \(bestMetric))")
        }
    }

    /// Checks the inputs exist (before any work).
    public func checkPaths() throws {
        guard let shards, let groundTruth else { return }
        try PathChecks.requireInputFolder(shards, option: "--val", checkEntries: true)
        try PathChecks.requireInputFile(groundTruth, option: "--val-gt")
    }
}
