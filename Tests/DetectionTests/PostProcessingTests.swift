// Inference post-processing: multi-class NMS (strict score threshold, class-wise NMS, cap,
// order) and mask pasting against detectron2's `_do_paste_mask` (torch grid_sample) goldens.
import XCTest
@testable import SharedDetection

final class PostProcessingTests: XCTestCase {
    func testMultiClassNMSHandBuilt() {
        // 3 RoIs, 2 foreground classes (+ background last).
        let scores: [Float] = [0.70, 0.20, 0.10,
                               0.60, 0.00001, 0.39999,
                               0.10, 0.80, 0.10]
        let a = Box(x1: 0, y1: 0, x2: 10, y2: 10), b = Box(x1: 1, y1: 0, x2: 11, y2: 10), far = Box(x1: 50, y1: 50, x2: 60, y2: 60)
        let boxes = [a, a,  // RoI 0: class 0, class 1
                     b, b,  // RoI 1
                     far, a]  // RoI 2
        let detections = MultiClassNMS().detections(scores: scores, classSpecificBoxes: boxes, classCount: 2)
        // class 1: RoI 2 (0.8, box a) suppresses RoI 0's class-1 box a (0.2); RoI 1 class 1 is below 1e-4.
        // class 0: RoI 0 (0.7, a) suppresses RoI 1 (0.6, b, IoU 0.82); RoI 2 class 0 (0.1, far) survives.
        XCTAssertEqual(detections.scores, [0.8, 0.7, 0.1])
        XCTAssertEqual(detections.classes, [1, 0, 0])
        XCTAssertEqual(detections.rois, [2, 0, 2])
        XCTAssertEqual(detections.boxes, [a, a, far])
        let capped = MultiClassNMS(scoreThreshold: 0.15, maxDetections: 1).detections(scores: scores, classSpecificBoxes: boxes, classCount: 2)
        XCTAssertEqual(capped.scores, [0.8])
    }

    func testMaskPasteMatchesDetectron2GridSample() throws {
        let fixture = try Fixture.load("mask_paste.json")
        for case_ in Fixture.objects(fixture["cases"]) {
            let height = (case_["imageHeight"] as! NSNumber).intValue, width = (case_["imageWidth"] as! NSNumber).intValue
            let box = Fixture.box(case_["box"])
            let probabilities = Fixture.floats(case_["probabilities"])
            let values = Fixture.floats(case_["values"]), expected = Fixture.ints(case_["mask"])
            let pasted = pasteMask(probabilities, mapHeight: 28, mapWidth: 28, box: box, imageSize: ImageSize(width: width, height: height))
            let full = pasted.fullImage().map(Int.init)
            // Pixels whose value sits within float noise of the threshold may differ; none should here.
            var mismatches = 0
            for i in full.indices where full[i] != expected[i] {
                if abs(values[i] - 0.5) > 1e-5 { mismatches += 1 }
            }
            XCTAssertEqual(mismatches, 0, "box \(box)")
            XCTAssertEqual(full.reduce(0, +), expected.reduce(0, +), "box \(box)")
            // Outside the computed region the reference is below the threshold everywhere.
            for row in 0..<height {
                for column in 0..<width where !(pasted.y..<(pasted.y + pasted.height)).contains(row) || !(pasted.x..<(pasted.x + pasted.width)).contains(column) {
                    XCTAssertEqual(values[row * width + column], 0, "(\(column), \(row)) outside the region")
                }
            }
        }
    }

    func testPasteOfAConstantMapFillsTheBox() {
        let ones = [Float](repeating: 1, count: 28 * 28)
        let pasted = pasteMask(ones, mapHeight: 28, mapWidth: 28, box: Box(x1: 2, y1: 3, x2: 12, y2: 9), imageSize: ImageSize(width: 20, height: 20))
        let full = pasted.fullImage()
        for y in 0..<20 {
            for x in 0..<20 {
                XCTAssertEqual(full[y * 20 + x], (2..<12).contains(x) && (3..<9).contains(y) ? 1 : 0, "(\(x), \(y))")
            }
        }
        XCTAssertEqual(pasteMask(ones, mapHeight: 28, mapWidth: 28, box: Box(x1: 5, y1: 5, x2: 5, y2: 9),
                                 imageSize: ImageSize(width: 20, height: 20)).fullImage().reduce(0) { $0 + Int($1) }, 0)
    }
}

final class ClassSpecificBoxesTests: XCTestCase {
    func testDecodeClipThenRescaleToTheOriginalImage() {
        let rois = [Box(x1: 10, y1: 10, x2: 30, y2: 50), Box(x1: 80, y1: 0, x2: 100, y2: 20)]
        // Class 0: no change; class 1: shift right by one width (dx = 1 / 0.1 in coder units).
        let deltas = [BoxDelta.zero, BoxDelta(dx: 10, dy: 0, dw: 0, dh: 0),
                      BoxDelta.zero, BoxDelta(dx: 10, dy: 0, dw: 0, dh: 0)]
        let boxes = classSpecificBoxes(rois: rois, deltas: deltas, classCount: 2, inputSize: ImageSize(width: 110, height: 60),
                                       scaleX: 2, scaleY: 0.5)
        XCTAssertEqual(boxes.count, 4)
        assertClose(boxes[0], Box(x1: 5, y1: 20, x2: 15, y2: 100))
        assertClose(boxes[1], Box(x1: 15, y1: 20, x2: 25, y2: 100))
        assertClose(boxes[2], Box(x1: 40, y1: 0, x2: 50, y2: 40))
        assertClose(boxes[3], Box(x1: 50, y1: 0, x2: 55, y2: 40))  // (100..120) clipped at 110 before rescaling
    }
}
