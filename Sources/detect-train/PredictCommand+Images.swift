// `detect-train predict --images`: image files in (a folder, a list, stdin), COCO results
// out as for shards, with ids from `--image-ids` or 1..N recorded in `--id-map`, and
// `--draw` pictures. Unreadable files are reported and skipped (exit 2 at the end).
import Foundation
import SharedSupport
import SharedTensor
import SharedData
import SharedMasks
import SharedEval
import SharedDetection
import SharedLongTail

/// What `--images` and its options resolved to, checked before the model is loaded.
struct ImageInputs {
    /// The files in input order, with their ids (and sizes, from --image-ids).
    var entries: [ImageFileEntry]
    /// --image-ids' category names by id (used for classes the checkpoint does not name).
    var jsonNames: [CategoryID: String]
    /// Where the id map goes (nil: not written).
    var idMapPath: String?
    /// The --draw picture name of each entry.
    var drawnNames: [String]
}

extension PredictCommand {
    /// `--draw` pictures are JPEGs of this quality: photos with labels, in about 1/60 of the
    /// time a PNG takes to encode and a fifth of its size (a 640x480 coco128 photo with
    /// libjpeg's and zlib's defaults: 2.5 ms and 100 KB against 165 ms and 570 KB).
    static let drawnQuality = 90

    /// The picture `--draw` writes for `path`: its base name without the extension, + ".jpg".
    static func drawnName(_ path: String) -> String {
        let base = ImageFileIDs.baseName(path)
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return base + ".jpg" }
        return String(base[..<dot]) + ".jpg"
    }

    /// `--id-map`'s default beside `--out FILE`: FILE without ".json", + ".images.json".
    static func defaultIDMap(out: String) -> String {
        (out.hasSuffix(".json") ? String(out.dropLast(5)) : out) + ".images.json"
    }

    /// The files `argument` names and their ids, and the output paths checked against them:
    /// `--out`, the id map and the `--draw` pictures may be none of the inputs, the pictures
    /// not two of the same name nor in a folder an input image is in.
    func imageInputs(_ argument: String) throws -> ImageInputs {
        try PathChecks.requireInputFile(checkpoint, option: "--checkpoint")
        if let imageIDs { try PathChecks.requireInputFileOrStream(imageIDs, option: "--image-ids") }
        let paths = try ImageFileList.resolve(argument)
        var entries = ImageFileIDs.sequential(paths)
        var jsonNames: [CategoryID: String] = [:]
        if let imageIDs {
            let dataset = try Dataset.load(path: imageIDs)
            entries = try ImageFileIDs.matched(paths, dataset: dataset, jsonPath: imageIDs)
            jsonNames = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        }
        let listFile = argument != "-" && PathChecks.kind(of: argument) == .regularFile ? [argument] : []
        let inputFiles = [checkpoint] + (imageIDs.map { [$0] } ?? []) + listFile + paths
        if let out, out != "-" { try PathChecks.requireOutputFile(out, option: "--out", inputs: inputFiles) }
        let idMapPath = idMap ?? (imageIDs == nil ? out.flatMap { $0 == "-" ? nil : Self.defaultIDMap(out: $0) } : nil)
        if let idMapPath {
            try PathChecks.requireOutputFile(idMapPath, option: "--id-map", inputs: inputFiles + (out.map { [$0] } ?? []))
        }
        var drawnNames: [String] = []
        if let draw {
            drawnNames = paths.map(Self.drawnName)
            var first: [String: String] = [:]
            for (name, path) in zip(drawnNames, paths) {
                if let other = first[name] {
                    throw ToolError.usage("--draw \(draw): \(other) and \(path) would both be drawn as \(name)",
                                          hint: "give images with distinct names (without their extensions)")
                }
                first[name] = path
            }
            let folders = Array(Set(paths.map(PathChecks.parentFolder))) + (listFile.isEmpty && argument != "-" ? [argument] : [])
            try PathChecks.requireOutputDirectory(draw, option: "--draw", files: drawnNames, inputs: inputFiles + folders)
        }
        return ImageInputs(entries: entries, jsonNames: jsonNames, idMapPath: idMapPath, drawnNames: drawnNames)
    }

    func predictImages(_ inputs: ImageInputs, context: ToolContext) throws {
        let logger = context.logger
        let predictor = try DetectorPredictor(checkpoint: checkpoint, compute: try Compute.load(threads: context.parallelism.threads),
                                              testOverrides: try testOverrides(),
                                              checkSections: { header, path in _ = try FinetuneConfig.stored(in: header, checkpoint: path) })
        report(predictor, logger: logger)
        var names = inputs.jsonNames
        if let stored = predictor.categoryNames {
            for (id, name) in zip(predictor.categoryIDs, stored) { names[CategoryID(id)] = name }
        }
        let files = ImageFileBatches(entries: inputs.entries, batchSize: batch, settings: LoaderSettings(config: predictor.config.input),
                                     limits: ImageLimits(maxPixels: maxPixels, allowOutsideImages: true), keepsPixels: draw != nil)
        var staging: StagingFolder?
        if let draw {
            try makeDirectory(draw)
            staging = try StagingFolder(in: draw, label: "draw")
        }
        defer { staging?.remove() }
        var mapLines: [String] = []
        var skipped = 0
        var drawn: [String] = []
        let total = inputs.entries.count
        let progress = ProgressBar(label: "predict", total: total, unit: "img", logger: logger)
        StopSignals.install()
        let emit = { (stream: ResultsStream) throws in
            try predictor.predict(files, to: stream, progress: progress, stopRequested: StopSignals.received, skipped: { problem in
                skipped += 1
                logger.warning("skipped \(problem.line)")
            }, predicted: { image, pixels, results in
                let path = inputs.entries[image.datasetIndex].path
                var json = JSONWriter(reservingCapacity: 256)
                ImageFileIDs.writeMapEntry(id: image.imageID, path: path, width: image.originalWidth, height: image.originalHeight, to: &json)
                mapLines.append(json.text)
                if let staging, let pixels {
                    let name = inputs.drawnNames[image.datasetIndex]
                    let picture = try Self.picture(pixels, results: results, threshold: self.drawThreshold, names: names)
                    try writeFileAtomically(staging.staged(name), bytes: JPEGCodec.encode(picture.image, quality: Self.drawnQuality))
                    drawn.append(name)
                }
            })
        }
        // The id map and the pictures are in place before an --out file is committed.
        let count = try writeResults(emit) {
            if let path = inputs.idMapPath {
                try writeFileAtomically(path, bytes: Array(("[" + mapLines.map { "\n" + $0 }.joined(separator: ",") + (mapLines.isEmpty ? "]\n" : "\n]\n")).utf8))
            }
            if let staging {
                for name in drawn { try staging.publishFile(name) }
            }
        }
        progress.finish()
        let predicted = mapLines.count
        logger.info("wrote \(count) detections of \(predicted) images" + (out.map { $0 == "-" ? "" : " to \($0)" } ?? "")
                    + (inputs.idMapPath.map { ", their ids to \($0)" } ?? "") + (draw.map { ", \(drawn.count) pictures to \($0)" } ?? ""))
        if skipped > 0 {
            throw ToolError("\(skipped) of the \(total) images could not be read and were skipped (listed above)",
                            hint: "the other \(predicted) images' results are written; fix or remove those files and run again",
                            exitCode: .partialFailure)
        }
    }

    /// `pixels` with the detections of `results` scoring at least `threshold` drawn (the
    /// best last, on top).
    static func picture(_ pixels: RGBImage, results: [DetectionResult], threshold: Double, names: [CategoryID: String]) throws -> Canvas {
        let shown = results.enumerated().filter { $0.element.score >= threshold }
            .sorted { $0.element.score != $1.element.score ? $0.element.score < $1.element.score : $0.offset > $1.offset }.map(\.element)
        let detections = try shown.compactMap { result -> DrawnDetection? in
            let mask = try result.segmentation.map { try RLE(segmentation: $0, height: pixels.height, width: pixels.width) }
            guard let box = result.bbox ?? mask?.boundingBox else { return nil }
            return DrawnDetection(category: result.categoryID, score: result.score, box: box, mask: mask)
        }
        return DetectionDrawing.picture(image: pixels, detections: detections, names: names)
    }
}
