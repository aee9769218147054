// Boundary IoU on hostile masks: a mask too elongated to take a boundary of column by column
// (one interval per column of a 1-pixel-high image wider than MaskBoundary.maximumColumnIntervals)
// stops the run naming the file and the record instead of filling memory; the same files
// evaluate as segm.
import Foundation
import SharedEval
import SharedMasks
import SharedSupport
import XCTest

final class BoundaryHostileTests: XCTestCase {
    func testTooElongatedMaskIsRefusedWithItsRecord() throws {
        let width = MaskBoundary.maximumColumnIntervals + 10
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("boundary-hostile-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let gt = folder.appendingPathComponent("gt.json"), dt = folder.appendingPathComponent("dt.json")
        try """
        {"images": [{"id": 1, "height": 1, "width": \(width)}], "categories": [{"id": 1, "name": "strip"}],
         "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0, "area": \(width), "bbox": [0, 0, \(width), 1],
                          "segmentation": {"size": [1, \(width)], "counts": [0, \(width)]}}]}
        """.write(to: gt, atomically: true, encoding: .utf8)
        let full = RLE(height: 1, width: width, counts: [0, UInt32(width)])
        try """
        [{"image_id": 1, "category_id": 1, "score": 0.9, "segmentation": {"size": [1, \(width)], "counts": "\(full.compressedString)"}}]
        """.write(to: dt, atomically: true, encoding: .utf8)
        let boundary = DetectionEvaluation(groundTruthPath: gt.path, resultsPath: dt.path, style: .coco, iouTypes: [.boundary])
        XCTAssertThrowsError(try boundary.run(parallelism: Parallelism(threads: 2))) { error in
            let message = "\(error)"
            for fragment in [dt.path, "results[0]", "column intervals", "--iou-type segm"] {
                XCTAssert(message.contains(fragment), "missing \"\(fragment)\" in: \(message)")
            }
        }
        let segm = DetectionEvaluation(groundTruthPath: gt.path, resultsPath: dt.path, style: .coco, iouTypes: [.segm])
        let report = try XCTUnwrap(try segm.run(parallelism: Parallelism(threads: 2)).first)
        XCTAssertEqual(try XCTUnwrap(report.stat("AP50")), 1, accuracy: 1e-12, "a perfect detection")
    }

    func testColumnIntervalsCountsWhatTheKernelWorksOn() {
        // 3 x 4 mask: one run over columns 0-1 and one inside column 3.
        let rle = RLE(height: 3, width: 4, counts: [1, 4, 4, 2, 1])
        XCTAssertEqual(rle.counts.withUnsafeBufferPointer { MaskBoundary.columnIntervals($0, height: 3, width: 4) }, 3)
        XCTAssertEqual(RLE.empty(height: 3, width: 4).counts.withUnsafeBufferPointer { MaskBoundary.columnIntervals($0, height: 3, width: 4) }, 0)
    }
}
