// `detect-eval report` as a library call: evaluate each model's detections (boxes and
// masks, exactly as `detect-eval --iou-type both --json`), then write into one folder the
// per-frequency AP chart, each model's PR curves, the TIDE breakdown and the long-tail
// confusions of the models side by side (DetectionReport+Analyses.swift), the training set's
// long-tail histogram, a grid of drawn detections (val images side by side per model) and
// report.md tying them together. Every file is written atomically into a hidden staging folder and moved into
// place only when all are done (report.md last), so a run that fails or is stopped (SIGINT,
// SIGTERM: checked between the steps) leaves no charts without their report.
import SharedData
import SharedMasks
import SharedSupport

/// A model's name (a file-name-safe label) and its detections file.
public struct ModelDetections: Equatable, Sendable {
    public var name: String
    public var path: String

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }
}

public struct DetectionReport {
    public var groundTruthPath: String
    /// Root the val images are found under; nil = no detection grid.
    public var imageRoot: String?
    /// Training json for the long-tail histogram; nil = none.
    public var trainPath: String?
    public var models: [ModelDetections]
    public var outputDirectory: String
    public var gridImages = 4
    public var scoreThreshold = 0.3
    public var maxDetectionsPerImage = 20
    public var tileSize = 320
    /// `DetectionEvaluation.maskRunLimit` of every evaluation (`--max-mask-runs`).
    public var maskRunLimit: Int?
    /// What the grid's image files may be (`--max-pixels`, `--allow-outside-images`, as convert).
    public var imageLimits = ImageLimits()

    public init(groundTruthPath: String, imageRoot: String?, trainPath: String?, models: [ModelDetections], outputDirectory: String) {
        self.groundTruthPath = groundTruthPath
        self.imageRoot = imageRoot
        self.trainPath = trainPath
        self.models = models
        self.outputDirectory = outputDirectory
    }

    /// The file names written (relative to the output folder).
    public enum Files {
        public static let report = "report.md"
        public static let frequencyChart = "ap-per-frequency.png"
        public static let longTail = "long-tail.png"
        public static let grid = "detections.png"
        public static let tideChart = "tide.png"
        public static func confusion(_ model: String) -> String { "confusion-\(model).png" }
        public static func prCurves(_ model: String) -> String { "pr-\(model).png" }
    }

    public struct Output: Sendable {
        public var results: [ModelResults]
        /// TIDE and the confusion matrix per model.
        public var analyses: [ModelAnalyses]
        public var reportPath: String
        /// The grid images left out, one line each ("kind: image id N: file: why").
        public var skippedImages: [String]
    }

    /// Runs the report. When `stopRequested` returns a signal between two steps, nothing is
    /// published and the run throws exit 130/143.
    public func run(parallelism: Parallelism, logger: Logger? = nil, stopRequested: @Sendable () -> Int32? = { nil }) throws -> Output {
        let clock = Stopwatch()
        try makeDirectory(outputDirectory)
        let staging = try StagingFolder(in: outputDirectory, label: "report")
        var written: [String] = []
        let path = { (name: String) -> String in
            written.append(name)
            return staging.staged(name)
        }
        var results: [ModelResults] = []
        var analyses: [ModelAnalyses] = []
        var document = ReportDocument(title: "Detection report")
        for model in models {
            try stopIfRequested(stopRequested)
            let evaluation = DetectionEvaluation(groundTruthPath: groundTruthPath, resultsPath: model.path, style: nil,
                                                 iouTypes: [.bbox, .segm], maskRunLimit: maskRunLimit,
                                                 analyses: EvaluationAnalyses(keepsInputs: true))
            var reports = try evaluation.run(parallelism: parallelism, logger: logger)
            if let first = reports.first, first.detectionCount == 0 {
                throw first.filtered.noDetectionsError(resultsPath: model.path, emptyHint: "predict again")
            }
            guard let inputs = reports.first?.inputs else { preconditionFailure("an evaluation without its inputs") }
            for r in reports.indices { reports[r].inputs = nil }
            analyses.append(try self.analyses(of: model, reports: reports, inputs: inputs, parallelism: parallelism))
            results.append(ModelResults(name: model.name, reports: reports))
            try EvaluationPlot.write(reports, to: path(Files.prCurves(model.name)))
            logger?.debug("\(model.name): evaluated, PR curves written, TIDE and confusions computed, \(seconds(clock))")
        }
        document.section("Results", text: "Ground truth: `\(groundTruthPath)`.\n\n" + ResultsTable.byType(results))
        try stopIfRequested(stopRequested)
        try FrequencyChart.write(results, to: path(Files.frequencyChart))
        document.section("AP per frequency group", image: Files.frequencyChart,
                         text: "Rare, common and frequent categories (LVIS groups by training images).")
        document.section("Precision-recall curves", text: models.map { "### \($0.name)\n\n![\($0.name) PR curves](\(Files.prCurves($0.name)))" }.joined(separator: "\n\n"))
        try stopIfRequested(stopRequested)
        try addAnalyses(analyses, to: &document, path: path)
        if let trainPath {
            try stopIfRequested(stopRequested)
            let train = try Dataset.load(path: trainPath)
            try LongTailHistogram(imagesPerCategoryOf: train, split: "training set").render().writePNG(to: path(Files.longTail))
            document.section("Training set long tail", image: Files.longTail, text: "`\(trainPath)`: images per category, dashed lines at the LVIS thresholds (10, 100).")
            logger?.debug("long-tail histogram written, \(seconds(clock))")
        }
        var skippedImages: [String] = []
        if let imageRoot, gridImages > 0 {
            try stopIfRequested(stopRequested)
            let grid = try detectionGrid(imageRoot: imageRoot)
            skippedImages = grid.skipped
            for line in grid.skipped { logger?.warning("detection grid: skipped \(line)") }
            let left = grid.skipped.isEmpty ? "" : " \(grid.skipped.count) chosen image(s) could not be drawn and are left out (" + grid.skipped.joined(separator: "; ") + ")."
            if let canvas = grid.canvas {
                try canvas.writePNG(to: path(Files.grid))
                document.section("Detections", image: Files.grid,
                                 text: "Val images \(grid.imageIDs.map(String.init).joined(separator: ", ")) (most rare-category instances); detections with score >= \(scoreThreshold), at most \(maxDetectionsPerImage) per image; columns: " + models.map(\.name).joined(separator: ", ") + "." + left)
            } else {
                document.section("Detections", text: "No val image could be drawn." + left)
            }
            logger?.debug("detection grid written, \(seconds(clock))")
        }
        try writeFileAtomically(path(Files.report), text: document.text)
        try stopIfRequested(stopRequested)
        // Publish: the charts, then report.md, which names them.
        for name in written where name != Files.report { try staging.publishFile(name) }
        try staging.publishFile(Files.report)
        staging.remove()
        return Output(results: results, analyses: analyses, reportPath: outputDirectory + "/" + Files.report, skippedImages: skippedImages)
    }

    /// Throws the exit-130/143 error when a stop signal was received.
    func stopIfRequested(_ stopRequested: () -> Int32?) throws {
        if let signal = stopRequested() {
            throw ToolError("stopped by \(StopSignals.name(signal)) before the report was complete; nothing was written",
                            file: outputDirectory, hint: "run the same command again", exitCode: ToolExitCode(stoppedBy: signal))
        }
    }

    func seconds(_ clock: Stopwatch) -> String { TextSummary.fixed(clock.elapsed, 1) + " s" }

    /// The grid of the chosen images that pass convert's file checks and decode (nil canvas
    /// when none does), and a line for each image left out.
    func detectionGrid(imageRoot: String) throws -> (canvas: Canvas?, imageIDs: [Int], skipped: [String]) {
        let dataset = try Dataset.load(path: groundTruthPath)
        let names = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var images: [ImageInfo] = []
        var decoded: [ImageID: RGBImage] = [:]
        var skipped: [String] = []
        for info in GridImageSelection.pick(dataset, count: gridImages) {
            switch ReportImageLoader.load(info, root: imageRoot, format: dataset.format, atLeast: tileSize, limits: imageLimits) {
            case .success(let image):
                images.append(info)
                decoded[info.id] = image
            case .failure(let problem):
                skipped.append("\(problem.kind.rawValue): \(problem.message)")
            }
        }
        guard !images.isEmpty else { return (nil, [], skipped) }
        let wanted = Set(images.map(\.id))
        let perModel = try models.map { model in
            try DetectionSelection.read(path: model.path, images: wanted, scoreThreshold: scoreThreshold, limit: maxDetectionsPerImage,
                                        sizes: Dictionary(images.map { ($0.id, ($0.height, $0.width)) }, uniquingKeysWith: { a, _ in a }))
        }
        var rows: [DetectionGrid.Row] = []
        for info in images {
            guard let image = decoded[info.id] else { continue }
            let tiles = perModel.map { detections in
                DetectionTile.render(image: image, originalWidth: info.width, originalHeight: info.height,
                                     detections: detections[info.id] ?? [], names: names, size: tileSize)
            }
            rows.append(DetectionGrid.Row(label: "id \(info.id.rawValue)", tiles: tiles))
        }
        return (DetectionGrid.compose(columns: models.map(\.name), rows: rows, tileSize: tileSize), images.map(\.id.rawValue), skipped)
    }
}
