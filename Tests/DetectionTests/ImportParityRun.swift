// The per-photo half of the mmdetection and detectron2 import parity tests: their fixture
// scripts write the same reference format (reference.json: per photo its file, image id,
// original and input sizes, and every detection's class, box in original pixels, score,
// category id and mask RLE); the imported model runs on the same resized pixels and each
// detection must match: identical class, box within 1e-3 px, score within 1e-4, mask IoU
// >= 0.99. Its COCO results go on to ParityAveragePrecision.
import XCTest
import Foundation
import SharedSupport
import SharedTensor
import SharedNN
import SharedData
import SharedMasks
@testable import SharedDetection

/// One photo of a reference.json.
struct ParityReference: Decodable {
    struct Detection: Decodable {
        struct RLEText: Decodable { var size: [Int]; var counts: String }
        var box: [Double]
        var score: Double
        var `class`: Int
        var category_id: Int
        var segmentation: RLEText
    }
    var file: String
    var image_id: Int
    var original: [Int]
    var input: [Int]
    var detections: [Detection]
}

enum ImportParityRun {
    /// Runs `imported` on each reference photo (PNG `images`/file) and asserts every detection
    /// matches; returns our detections as COCO results, the worst differences and the counts.
    static func compare(_ imported: ImportedDetector, references: [ParityReference], images: URL, source: String) throws
        -> (results: [[String: Any]], worst: (box: Double, score: Double, iou: Double), counts: [Int]) {
        let (model, store) = try imported.makeModel(source: source)
        let settings = InferenceSettings(config: imported.config)
        let context = ModuleContext(store: store, compute: try Compute.load(threads: 2))
        var counts: [Int] = []
        var worst = (box: 0.0, score: 0.0, iou: 1.0)
        var results: [[String: Any]] = []
        for reference in references {
            let bytes = try [UInt8](Data(contentsOf: images.appendingPathComponent(reference.file)))
            let image = try bytes.withUnsafeBytes { try ImageDecoding.decode($0).image }
            XCTAssertEqual([image.width, image.height], reference.input)
            let width = (image.width + 31) / 32 * 32, height = (image.height + 31) / 32 * 32
            var pixels = [Float](repeating: 0, count: 3 * width * height)
            pixels.withUnsafeMutableBufferPointer { buffer in
                ResizeNormalize.write(image, width: image.width, height: image.height, flip: false,
                                      mean: imported.config.input.pixelMean.map(Float.init), std: imported.config.input.pixelStd.map(Float.init),
                                      into: buffer.baseAddress!, planeWidth: width, planeHeight: height)
            }
            let info = InputImageInfo(inputSize: ImageSize(width: image.width, height: image.height),
                                      originalSize: ImageSize(width: reference.original[0], height: reference.original[1]))
            let detected = model.detect(Tensor(shape: [1, 3, height, width], values: pixels), info: [info], settings: settings,
                                        context: context)[0]
            let ours = detected.detections
            counts.append(ours.count)
            for index in 0..<ours.count {
                let box = ours.boxes[index], rle = detected.masks[index].rle()
                results.append(["image_id": reference.image_id, "category_id": imported.categoryIDs[ours.classes[index]],
                                "bbox": [box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1].map(Double.init),
                                "score": Double(ours.scores[index]),
                                "segmentation": ["size": [rle.height, rle.width], "counts": rle.compressedString]])
            }
            XCTAssertEqual(ours.count, reference.detections.count, "\(reference.file): detections")
            guard ours.count == reference.detections.count else { continue }
            for (index, expected) in reference.detections.enumerated() {
                XCTAssertEqual(ours.classes[index], expected.class, "\(reference.file) detection \(index): class")
                let box = ours.boxes[index]
                let boxDifference = zip([box.x1, box.y1, box.x2, box.y2].map(Double.init), expected.box).map { abs($0 - $1) }.max()!
                let scoreDifference = abs(Double(ours.scores[index]) - expected.score)
                XCTAssertLessThanOrEqual(boxDifference, 1e-3, "\(reference.file) detection \(index): box \(box) vs \(expected.box)")
                XCTAssertLessThanOrEqual(scoreDifference, 1e-4, "\(reference.file) detection \(index): score")
                let theirs = RLE(compressedString: expected.segmentation.counts, height: expected.segmentation.size[0],
                                 width: expected.segmentation.size[1]).decodeRowMajor()
                let mine = detected.masks[index].fullImage()
                XCTAssertEqual(mine.count, theirs.count)
                let intersection = zip(mine, theirs).filter { $0 != 0 && $1 != 0 }.count
                let union = zip(mine, theirs).filter { $0 != 0 || $1 != 0 }.count
                let iou = union == 0 ? 1 : Double(intersection) / Double(union)
                XCTAssertGreaterThanOrEqual(iou, 0.99, "\(reference.file) detection \(index): mask IoU")
                worst = (max(worst.box, boxDifference), max(worst.score, scoreDifference), min(worst.iou, iou))
            }
        }
        return (results, worst, counts)
    }
}
