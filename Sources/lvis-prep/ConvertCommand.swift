// `lvis-prep convert`: an annotation json + image folder -> a shard folder (docs/shard-format.md).
import ArgumentParser
import SharedData
import SharedSupport

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a COCO / LVIS v0.5 / LVIS v1 annotation json and its images into shards.",
        discussion: """
        Example:
          lvis-prep convert --annotations lvis_v1_val.json --images coco --out shards/val --max-size 800,1333
        Job array (piece I of N, then merge once all are done):
          lvis-prep convert ... --num-shards 8 --shard-index $SLURM_ARRAY_TASK_ID && lvis-prep merge shards/val
        Prints a JSON summary on stdout. Bad annotations and images are counted by kind, reported and
        skipped (exit status 2); --strict makes the first one an error (exit 1). Re-running the same command
        keeps the shards that verify and redoes the rest.
        """)

    @Option(help: "COCO or LVIS annotation json (format detected from its content).")
    var annotations: String

    @Option(help: "Image root: LVIS v1 images are found as ROOT/train2017/X.jpg or ROOT/val2017/X.jpg (from coco_url), COCO and LVIS v0.5 by file_name.")
    var images: String

    @Option(help: "Output folder for shard-NNNNN.bin files and manifest.json.")
    var out: String

    @Option(help: "Resize so the short side <= S and the long side <= L ('S,L' or 'S', each \(MaxSize.sideRange)); never enlarges. Default: keep the size.")
    var maxSize: MaxSize?

    @Option(help: "How pixels are stored in the shards.")
    var encoding: EncodingArgument = .jpeg

    static let jpegQualityRange = OptionRange(1...100)

    @Option(parsing: .unconditional, help: "JPEG quality for re-encoded images (\(ConvertCommand.jpegQualityRange)).")
    var jpegQuality: Int = 90

    static let recordsPerShardRange = OptionRange(1...1_000_000)
    static let numShardsRange = OptionRange(1...100_000)

    @Option(parsing: .unconditional, help: "Images per shard file (\(ConvertCommand.recordsPerShardRange)).")
    var recordsPerShard: Int = 512

    @Option(help: "Split name recorded in the manifest (default: 'val' if the json's name contains 'val', else 'train').")
    var split: String?

    @Option(parsing: .unconditional, help: "Job array: number of pieces the work is split into (\(ConvertCommand.numShardsRange)).")
    var numShards: Int = 1

    @Option(parsing: .unconditional, help: "Job array: which piece this run does (0-based).")
    var shardIndex: Int = 0

    @Option(help: ArgumentHelp("Refuse images of more pixels (width x height, in the json) without reading them (image-too-large). Default: LVIS's largest image (640 x 640) x 4.",
                               valueName: "pixels"))
    var maxPixels: Int = ImageLimits.defaultMaxPixels

    @Flag(help: "Let image names in the json be absolute or contain '..' (by default such names are refused as unsafe-file-name: they would read files outside --images).")
    var allowOutsideImages = false

    @Flag(help: "Images that are not on disk are expected (e.g. only validating annotations): count them without failing.")
    var skipMissingImages = false

    @Flag(help: "Any bad annotation or image is an error (exit 1) instead of being skipped.")
    var strict = false

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        try Self.numShardsRange.check(numShards, option: "--num-shards")
        guard (0..<numShards).contains(shardIndex) else { throw ValidationError("--shard-index must be in 0..<\(numShards) (got \(shardIndex))") }
        try Self.jpegQualityRange.check(jpegQuality, option: "--jpeg-quality")
        try Self.recordsPerShardRange.check(recordsPerShard, option: "--records-per-shard")
        try MaxSize.sideRange.check(maxSize?.short, option: "--max-size")
        try MaxSize.sideRange.check(maxSize?.long, option: "--max-size")
        guard (1...ImageLimits.maxPixelsCeiling).contains(maxPixels) else {
            throw ValidationError("--max-pixels must be 1...\(ImageLimits.maxPixelsCeiling) (the decoders' limit); the default is \(ImageLimits.defaultMaxPixels)")
        }
        if let maxSize, let long = maxSize.long, maxSize.short > long {
            throw ValidationError("--max-size \(maxSize.short),\(long): the short-side limit is larger than the long-side limit; write S,L with S <= L (e.g. 800,1333)")
        }
    }

    func run() throws {
        try checkPaths()
        let context = try runtime.makeContext(tool: LvisPrep.toolName, usesBLAS: false)
        let logger = context.logger
        let clock = Stopwatch()
        let dataset = try Dataset.load(path: annotations, use: .conversion)
        let limits = ImageLimits(maxPixels: maxPixels, allowOutsideImages: allowOutsideImages)
        let plan = PrepPlan(dataset: dataset, annotationsPath: annotations, limits: limits)
        logger.info("\(annotations): \(dataset.format.rawValue), \(dataset.images.count) images, \(dataset.annotations.count) annotations, \(dataset.categories.count) categories")
        let baseName = annotations.split(separator: "/").last.map(String.init) ?? annotations
        let settings = ConvertSettings(annotations: annotations, images: images, split: split ?? (baseName.contains("val") ? "val" : "train"),
                                       encoding: encoding.stored.name, maxShortSide: maxSize?.short, maxLongSide: maxSize?.long,
                                       jpegQuality: jpegQuality, recordsPerShard: recordsPerShard, numPieces: numShards,
                                       maxPixels: maxPixels, allowOutsideImages: allowOutsideImages)
        let options = ConvertOptions(maxShortSide: maxSize?.short, maxLongSide: maxSize?.long, encoding: encoding.stored, jpegQuality: jpegQuality,
                                     limits: limits)
        let job = ConvertJob(plan: plan, settings: settings, options: options, outputDirectory: out, pieceIndex: shardIndex,
                             strict: strict, missingImagesExpected: skipMissingImages, logger: context.logger,
                             parallelism: context.parallelism, stopRequested: StopSignals.received)
        StopSignals.install()
        let report = try job.run()
        let seconds = clock.elapsed
        let converted = report.counts.images
        logger.info("\(converted) images, \(report.counts.instances) instances in \(report.shardsWritten) new + \(report.shardsReused) kept shards, \(String(format: "%.1f", seconds)) s")
        for line in report.problems.lines { logger.warning("skipped \(line)") }

        var json = JSONWriter()
        json.beginObject()
        json.key("format"); json.value(dataset.format.rawValue)
        json.key("split"); json.value(settings.split)
        json.key("piece"); json.value(shardIndex); json.key("pieces"); json.value(numShards)
        json.key("images"); json.value(converted)
        json.key("instances"); json.value(report.counts.instances)
        json.key("polygonInstances"); json.value(report.counts.polygonInstances)
        json.key("rleInstances"); json.value(report.counts.rleInstances)
        json.key("crowdInstances"); json.value(report.counts.crowdInstances)
        json.key("shardsWritten"); json.value(report.shardsWritten)
        json.key("shardsKept"); json.value(report.shardsReused)
        json.key("manifest"); if report.manifest != nil { json.value(out + "/manifest.json") } else { json.null() }
        json.key("skipped"); json.beginObject()
        for kind in ProblemKind.allCases where report.problems.count(kind) > 0 { json.key(kind.rawValue); json.value(report.problems.count(kind)) }
        json.endObject()
        json.key("seconds"); json.value(seconds)
        json.endObject()
        let output = StandardOutput()
        output.write(json.text + "\n")
        output.flush()

        let missing = report.problems.count(.missingImage)
        let counted = report.problems.total - (skipMissingImages ? missing : 0)
        if counted > 0 {
            throw ToolError("\(counted) bad annotations or images were skipped (listed above)",
                            hint: "the shards are usable; fix the input or pass --strict to stop at the first one",
                            exitCode: .partialFailure)
        }
    }
}
