// Inference over a shard folder with a trained checkpoint: evaluation batches (test scale,
// no flip, prefetched) -> `MaskRCNN.detect` (the config's test section, by default score
// > 1e-4, per-class NMS 0.5, <= 300 per image, masks pasted at the original size and
// thresholded at 0.5; `--set` changes them) -> COCO results with LVIS
// category ids, XYWH boxes in original pixels and compressed-RLE masks, image by image. An
// output that is not a finite number ends the run (exit 1) before its image is written.
import Foundation
import SharedSupport
import SharedTensor
import SharedNN
import SharedData
import SharedMasks

public final class DetectorPredictor {
    public let config: DetectorConfig
    public let model: MaskRCNN
    public let store: ParameterStore
    /// LVIS category id of each class index.
    public let categoryIDs: [Int]
    /// The category names the checkpoint stores, by class index (nil when it stores none).
    public let categoryNames: [String]?
    public let compute: Compute
    /// Iterations done and scheduled by the run that wrote the checkpoint (nil: not recorded).
    public let trainingProgress: (done: Int, scheduled: Int)?
    /// The checkpoint file (named in errors about the model's outputs).
    public let checkpointPath: String

    /// The model of checkpoint `path`, checked against the data's category table
    /// (`dataCategoryIDs`, by class index): another class count or other ids are refused
    /// with a message naming what differs. The stored config is validated (ranges, sizes)
    /// and every weight checked against it before the model is allocated; weights with NaN
    /// or infinity are refused. `testOverrides` change the stored config's test section.
    /// `checkSections` checks the sections a later stage added to the stored config (stage 2's
    /// "loce": the caller that knows them decodes and validates them; predict does not use them).
    public convenience init(checkpoint path: String, dataCategoryIDs: [Int], dataDirectory: String, compute: Compute,
                            testOverrides: [TestSettingOverride] = [],
                            checkSections: (CheckpointConfig, String) throws -> Void = { _, _ in }) throws {
        try self.init(checkpoint: path, data: (dataCategoryIDs, dataDirectory), compute: compute, testOverrides: testOverrides,
                      checkSections: checkSections)
    }

    /// The model of checkpoint `path` with the category table it stores (`predict --images`:
    /// no data to check it against). A checkpoint without a stored table is refused.
    public convenience init(checkpoint path: String, compute: Compute, testOverrides: [TestSettingOverride] = [],
                            checkSections: (CheckpointConfig, String) throws -> Void = { _, _ in }) throws {
        try self.init(checkpoint: path, data: nil, compute: compute, testOverrides: testOverrides, checkSections: checkSections)
    }

    private init(checkpoint path: String, data: (categoryIDs: [Int], directory: String)?, compute: Compute,
                 testOverrides: [TestSettingOverride], checkSections: (CheckpointConfig, String) throws -> Void) throws {
        let file = try SafetensorsFile.read(from: path, hint: "pass the checkpoint.safetensors written by `detect-train fit`")
        let (header, ids) = try DetectorCheckpoint.header(of: file, path: path)
        try checkSections(header, path)
        let stored = header.detector
        let categoryIDs: [Int]
        if let data {
            try DetectorCheckpoint.requireSameCategories(checkpointIDs: ids, checkpointConfig: stored, dataIDs: data.categoryIDs,
                                                         checkpoint: path, data: data.directory)
            categoryIDs = data.categoryIDs
        } else {
            guard let ids, ids.count == stored.roiHeads.numClasses else {
                throw ToolError("the checkpoint stores no category table (\(DetectorCheckpoint.categoriesKey)) for its "
                                + "\(stored.roiHeads.numClasses ?? 0) classes", file: path,
                                hint: "predict it on shards with --data (their manifest has the table), or train it again")
            }
            categoryIDs = ids
        }
        try DetectorCheckpoint.requireWeights(in: file, for: stored, path: path)
        var random = SeededRandom(seed: stored.seed)
        let (model, store) = MaskRCNN.make(config: stored, random: &random)
        try TrainingCheckpoint.loadWeights(file, path: path, into: store, requireAll: true)
        config = try stored.applying(testOverrides)
        self.model = model
        self.store = store
        self.categoryIDs = categoryIDs
        categoryNames = DetectorCheckpoint.categoryNames(of: file, classCount: categoryIDs.count)
        self.compute = compute
        trainingProgress = DetectorCheckpoint.trainingProgress(of: file)
        checkpointPath = path
    }

    /// A predictor over a live model (a fit's validation: `FitValidation`): its weights as they
    /// are, `name` standing for the checkpoint in messages.
    public init(model: MaskRCNN, store: ParameterStore, config: DetectorConfig, categoryIDs: [Int], compute: Compute, name: String) {
        self.config = config
        self.model = model
        self.store = store
        self.categoryIDs = categoryIDs
        categoryNames = nil
        self.compute = compute
        trainingProgress = nil
        checkpointPath = name
    }

    /// The results of one image's detections.
    public func results(_ detections: ImageDetections, image: LoadedImage) -> [DetectionResult] {
        (0..<detections.detections.count).map { index in
            let box = detections.detections.boxes[index]
            let rle = detections.masks[index].rle()
            return DetectionResult(imageID: image.imageID, categoryID: CategoryID(categoryIDs[detections.detections.classes[index]]),
                                   score: Double(detections.detections.scores[index]), bbox: BoxXYWH(box),
                                   segmentation: .compressedRLE(height: rle.height, width: rle.width, counts: rle.compressedBytes))
        }
    }

    /// Runs every batch of `batches`, writing each image's results to `output` as soon as
    /// its batch is done; `progress` is advanced by images.
    /// `stopRequested` is polled after every batch: a signal number ends the run with exit
    /// 128 + signal (the caller's unfinished output file is discarded).
    public func predict(_ batches: EvaluationBatches, to output: ResultsStream, progress: ProgressBar?,
                        stopRequested: @Sendable () -> Int32? = { nil }) throws {
        try run(count: batches.count, produce: { try batches.batch($0) }, batchOf: { $0 }, classThresholds: { nil },
                progress: progress, status: { "\(output.count) detections" }, stopRequested: stopRequested) { _, _, detections, image in
            try output.write(results(detections, image: image))
        }
    }

    /// `predict --images`: the files of `files` in order, each image's results written to
    /// `output` as soon as its batch is done, then handed to `predicted` with the image's
    /// decoded pixels (when `files` keeps them). Each file that cannot be used goes to
    /// `skipped`, in input order, before the images that follow it; `progress` counts both.
    public func predict(_ files: ImageFileBatches, to output: ResultsStream, progress: ProgressBar?,
                        stopRequested: @Sendable () -> Int32? = { nil },
                        skipped: (SkippedImageFile) throws -> Void,
                        predicted: (LoadedImage, RGBImage?, [DetectionResult]) throws -> Void) throws {
        try run(count: files.maxCount, produce: { files.batch($0) }, batchOf: { item in
            for problem in item.skipped { try skipped(problem) }
            if !item.skipped.isEmpty { progress?.advance(by: item.skipped.count, status: "\(output.count) detections") }
            return item.batch
        }, classThresholds: { nil }, progress: progress, status: { "\(output.count) detections" },
        stopRequested: stopRequested) { item, position, detections, image in
            let found = results(detections, image: image)
            try output.write(found)
            try predicted(image, item.pixels.isEmpty ? nil : item.pixels[position], found)
        }
    }

    /// `predict --per-class-topk`: every batch into `topK` (the best K per class over the
    /// dataset), each batch run with the classes' current thresholds so that detections that
    /// cannot enter are dropped before their masks. The caller writes `topK.results()`.
    public func predict(_ batches: EvaluationBatches, into topK: inout PerClassTopK, progress: ProgressBar?,
                        stopRequested: @Sendable () -> Int32? = { nil }) throws {
        var kept = topK
        defer { topK = kept }
        try run(count: batches.count, produce: { try batches.batch($0) }, batchOf: { $0 }, classThresholds: { kept.thresholds },
                progress: progress, status: { "\(kept.count) kept" }, stopRequested: stopRequested) { _, _, detections, image in
            for (index, result) in results(detections, image: image).enumerated() {
                kept.offer(result, score: detections.detections.scores[index], classIndex: detections.detections.classes[index])
            }
        }
    }

    /// The items `produce` makes (prefetched, in order) through the model: `batchOf` gives an
    /// item's batch (nil: the input ended early), each image's detections go to `consume` in
    /// order with the item and the image's position in the batch.
    private func run<Item: Sendable>(count: Int, produce: @escaping @Sendable (Int) throws -> Item,
                                     batchOf: (Item) throws -> ImageBatch?, classThresholds: () -> [Float]?,
                                     progress: ProgressBar?, status: () -> String, stopRequested: @Sendable () -> Int32?,
                                     consume: (Item, Int, ImageDetections, LoadedImage) throws -> Void) throws {
        let settings = InferenceSettings(config: config)
        let context = ModuleContext(store: store, compute: compute)
        let prefetcher = Prefetcher(range: 0..<count, capacity: 2, produce: produce)
        defer { prefetcher.stop() }
        while let item = try prefetcher.next() {
            guard let batch = try batchOf(item) else { break }
            let detected = model.detect(BatchTargets.imageTensor(batch), info: BatchTargets.inputInfo(batch), settings: settings,
                                        context: context, classThresholds: classThresholds())
            for (position, (image, detections)) in zip(batch.images, detected).enumerated() {
                do {
                    try consume(item, position, detections, image)
                } catch let error as ToolError {
                    throw error.inFile(checkpointPath)
                }
            }
            progress?.advance(by: batch.count, status: status())
            if let signal = stopRequested() {
                progress?.finish()
                throw ToolError("stopped by \(StopSignals.name(signal)) after \(status()): the output is "
                                + "incomplete (an --out file is not kept)", hint: "run predict again",
                                exitCode: ToolExitCode(stoppedBy: signal))
            }
        }
    }
}
