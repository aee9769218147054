// `detect-eval report`: evaluates several models' detections on one val set and writes a
// report folder (report.md, the per-frequency AP chart, PR curves, TIDE and the long-tail
// confusions side by side, the training long tail, a grid of drawn detections); prints the results table (markdown) to stdout.
import ArgumentParser
import SharedData
import SharedEval
import SharedSupport

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Evaluate several models' detections and write report.md with its charts and a detection grid.",
        discussion: """
        Writes into --out: report.md, ap-per-frequency.png, pr-NAME.png per model, tide.png (TIDE's dAP bars, a row per model, as `detect-eval --tide`), confusion-NAME.png per model (the long-tail confusions' heat map, the same classes for every model, as `detect-eval --confusion`), long-tail.png (with --train-gt) and detections.png (with --images), all atomically: they are made in a hidden OUT/.report-partial-HOST-PID folder and moved into place together when all are done (report.md last). Ctrl-C or SIGTERM stops it between steps with exit 130 / 143 and nothing new in --out; the next run removes the folder a killed one left. The results table (model, IoU type, AP, AP50, AP75, APr, APc, APf) goes to stdout as markdown; the numbers are those of `detect-eval --iou-type both --json`. report.md also tables TIDE's dAPs per model, IoU type and frequency group, and the long-tail confusions (rare/common classes' ground truths covered by frequent classes' detections) per model side by side; results without a `bbox` (or `segmentation`) on every result get no box (mask) TIDE and no confusion matrix, with a note.

        Example:
          detect-eval report --gt data/lvis_v1_val.json --images data --train-gt data/lvis_v1_train.json --model baseline=W/baseline/detections.json --model loce=W/loce/detections.json --out W/report

        The grid's image files are found and checked as `lvis-prep convert --images` does them: names confined to --images (no absolute path, no `..`; --allow-outside-images lifts that), no NUL; the json's width x height within --max-pixels; regular files only (a FIFO or device is not waited on), no larger than such an image can be; the header's size equal to the json's before any pixel is decoded. An image that fails is left out of the grid with a warning naming it, and the run ends with exit 2 once the report is written.

        Exit codes: 0 success, 1 bad data, 2 report written without some grid images (named on stderr), 64 bad command line, 74 cannot read or write a file, 130 / 143 stopped by Ctrl-C / SIGTERM.
        """)

    @Option(name: .long, help: ArgumentHelp("Val ground truth (COCO or LVIS json).", valueName: "GT.json"))
    var gt: String

    @Option(name: .customLong("model"), help: ArgumentHelp("A model's detections (COCO results json), as NAME=PATH; repeat per model.", valueName: "NAME=PATH"))
    var models: [NamedPath] = []

    @Option(name: .long, help: ArgumentHelp("The report folder (created if needed).", valueName: "DIR"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Image root of the val images (as for `lvis-prep convert --images`); without it there is no detection grid.", valueName: "DIR"))
    var images: String?

    @Option(name: .customLong("train-gt"), help: ArgumentHelp("Training json, for the long-tail histogram.", valueName: "TRAIN.json"))
    var trainGT: String?

    static let gridImagesRange = OptionRange(0...100)
    static let maxPerImageRange = OptionRange(1...1000)

    @Option(name: .customLong("grid-images"), parsing: .unconditional, help: "Val images in the detection grid (those with the most rare-category instances), \(ReportCommand.gridImagesRange).")
    var gridImages = 4

    @Option(name: .customLong("score-threshold"), help: "Draw detections scoring at least this (0-1).")
    var scoreThreshold = 0.3

    @Option(name: .customLong("max-per-image"), parsing: .unconditional, help: "Draw at most this many detections per image (highest scores), \(ReportCommand.maxPerImageRange).")
    var maxPerImage = 20

    @Option(name: .customLong("max-pixels"), help: ArgumentHelp("Leave out grid images of more pixels (width x height, in the json), as `lvis-prep convert --max-pixels` (1-\(ImageLimits.maxPixelsCeiling)); default \(ImageLimits.defaultMaxPixels).", valueName: "pixels"))
    var maxPixels = ImageLimits.defaultMaxPixels

    @Flag(name: .customLong("allow-outside-images"), help: "Let grid image names in the json be absolute or contain '..' (by default such images are left out: they would read files outside --images).")
    var allowOutsideImages = false

    @OptionGroup var maskRuns: MaskRunOptions

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if models.isEmpty { throw ValidationError("no models given: pass --model NAME=DETECTIONS.json (once per model)") }
        try NamedPath.checkUnique(models, option: "--model")
        try SideOutputPath.check(out, option: "--out", stdoutCarries: "the results table", example: "W/report")
        try Self.gridImagesRange.check(gridImages, option: "--grid-images")
        try Self.maxPerImageRange.check(maxPerImage, option: "--max-per-image")
        if ([gt, trainGT] + models.map(\.path)).filter({ $0 == "-" }).count > 1 {
            throw ValidationError("only one input can come from stdin (`-`): give the others as files")
        }
        if !(0...1).contains(scoreThreshold) { throw ValidationError("--score-threshold must be in 0...1") }
        guard (1...ImageLimits.maxPixelsCeiling).contains(maxPixels) else {
            throw ValidationError("--max-pixels must be 1...\(ImageLimits.maxPixelsCeiling) (the decoders' limit); the default is \(ImageLimits.defaultMaxPixels)")
        }
    }

    func run() throws {
        try checkPaths()
        let context = try runtime.makeContext(tool: DetectEval.toolName, usesBLAS: false)
        var job = DetectionReport(groundTruthPath: gt, imageRoot: images, trainPath: trainGT,
                                  models: models.map { ModelDetections(name: $0.name, path: $0.path) }, outputDirectory: out)
        job.gridImages = gridImages
        job.scoreThreshold = scoreThreshold
        job.maxDetectionsPerImage = maxPerImage
        job.maskRunLimit = maskRuns.maxMaskRuns
        job.imageLimits = ImageLimits(maxPixels: maxPixels, allowOutsideImages: allowOutsideImages)
        let clock = Stopwatch()
        StopSignals.install()
        let output = try job.run(parallelism: context.parallelism, logger: context.logger, stopRequested: StopSignals.received)
        let stdout = StandardOutput()
        stdout.write(ResultsTable.byType(output.results))
        stdout.flush()
        context.logger.info("wrote \(output.reportPath) in \(Int(clock.elapsed.rounded())) s")
        if !output.skippedImages.isEmpty {
            throw ToolError("\(output.skippedImages.count) grid image(s) were left out (listed above); the report is complete without them",
                            file: images, hint: "fix or replace those files, or pass --allow-outside-images / a larger --max-pixels "
                            + "if they are real", exitCode: .partialFailure)
        }
    }
}
