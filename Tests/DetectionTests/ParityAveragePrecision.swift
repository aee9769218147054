// The AP half of the import parity tests (MMDetection, torchvision, detectron2): our
// detections and the reference's, as COCO results, must give the same box and mask AP to 3
// decimals. Against the photos' real annotations a model with seeded random weights scores
// AP 0 on both sides (its classes and boxes miss the objects), which by itself checks nothing;
// so both are also evaluated against pseudo ground truth made from the reference's own
// detections (each image's top `perImage` by score, its box and mask an annotation of its
// class): there the reference's AP is far above 0, every rank, box and mask of ours counts,
// and the two must still agree to 3 decimals.
import XCTest
import Foundation
import SharedSupport
import SharedEval

enum ParityAveragePrecision {
    /// How many of each image's top reference detections become pseudo ground truth.
    static let perImage = 10
    /// The real annotations of the parity photos (Tests/Fixtures/coco128-subset).
    static let subsetAnnotations = Fixture.folder.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/coco128-subset/annotations/instances_train2017.json").path

    /// Box and mask AP of `results` (COCO results dictionaries) against the annotation file `groundTruth`.
    static func averagePrecision(_ results: [[String: Any]], groundTruth: String, scratch: String) throws -> [Double] {
        let path = scratch + "-results.json"
        try JSONSerialization.data(withJSONObject: results).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try DetectionEvaluation(groundTruthPath: groundTruth, resultsPath: path, style: .coco, iouTypes: [.bbox, .segm])
            .run(parallelism: Parallelism(threads: 2)).map { try XCTUnwrap($0.stat("AP")) }
    }

    /// The real annotations' images and categories with the reference's top detections as annotations.
    static func pseudoGroundTruth(reference: [[String: Any]], realGroundTruth: String) throws -> [String: Any] {
        let real = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: realGroundTruth))) as? [String: Any])
        var annotations: [[String: Any]] = []
        let byImage = Dictionary(grouping: reference) { $0["image_id"] as! Int }
        for imageID in byImage.keys.sorted() {
            let top = byImage[imageID]!.sorted { ($0["score"] as! Double) > ($1["score"] as! Double) }.prefix(perImage)
            for detection in top {
                let box = detection["bbox"] as! [Double]
                annotations.append(["id": annotations.count + 1, "image_id": imageID, "category_id": detection["category_id"]!,
                                    "bbox": box, "area": box[2] * box[3], "iscrowd": 0, "segmentation": detection["segmentation"]!])
            }
        }
        return ["images": real["images"]!, "categories": real["categories"]!, "annotations": annotations]
    }

    /// Asserts the same box and mask AP (3 decimals) against the real annotations and against
    /// the reference's pseudo ground truth, where the reference's AP must exceed 0.3.
    static func assertSameAP(ours: [[String: Any]], reference: [[String: Any]], realGroundTruth: String = subsetAnnotations, label: String,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let scratch = NSTemporaryDirectory() + "\(label)-parity-ap-\(getpid())"
        let pseudoPath = scratch + "-pseudo-gt.json"
        try JSONSerialization.data(withJSONObject: try pseudoGroundTruth(reference: reference, realGroundTruth: realGroundTruth))
            .write(to: URL(fileURLWithPath: pseudoPath))
        defer { try? FileManager.default.removeItem(atPath: pseudoPath) }
        for (name, groundTruth) in [("real annotations", realGroundTruth), ("pseudo ground truth", pseudoPath)] {
            let mine = try averagePrecision(ours, groundTruth: groundTruth, scratch: scratch)
            let theirs = try averagePrecision(reference, groundTruth: groundTruth, scratch: scratch)
            print("\(label): box and mask AP against the \(name): \(mine) (reference \(theirs))")
            XCTAssertEqual(mine.map { ($0 * 1000).rounded() }, theirs.map { ($0 * 1000).rounded() },
                           "\(label): box and mask AP against the \(name): \(mine) vs \(theirs)", file: file, line: line)
            if name == "pseudo ground truth" {
                XCTAssertGreaterThan(theirs.min() ?? 0, 0.3, "\(label): the pseudo ground truth must make AP informative", file: file, line: line)
            }
        }
    }
}
