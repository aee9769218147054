// Boxes that are not finite numbers, or so large or small that a pixel position overflows
// Int, reach level assignment and mask pasting when a model's weights overflow (issue
// "Hostile input"): `Int(x)` traps on NaN, infinity and values past Int's range. Each
// function now gives an empty or clamped result instead; finite, ordinary boxes are
// covered bit for bit by the detectron2 and mmdetection goldens of PostProcessingTests and
// LevelAssignmentTests.
import XCTest
@testable import SharedDetection
import SharedNN

final class NonFiniteBoxTests: XCTestCase {
    let nan = Float.nan, inf = Float.infinity

    func testLevelOfABoxWithoutANumberSizeIsTheFinest() {
        // width inf x height 0 = NaN (it trapped); NaN coordinates; infinite area.
        let boxes = [Box(x1: 0, y1: 0, x2: inf, y2: 0), Box(x1: nan, y1: 0, x2: 4, y2: 4), Box(x1: -inf, y1: -inf, x2: inf, y2: inf),
                     Box(x1: 0, y1: 0, x2: 3e38, y2: 3e38)]
        XCTAssertEqual(roiLevels(boxes), [0, 0, 3, 3])
        XCTAssertEqual(roiFeatureLevel(x1: 0, y1: 0, x2: inf, y2: 0, levelCount: 4), 0)
        XCTAssertEqual(roiFeatureLevel(x1: nan, y1: 0, x2: 4, y2: 4, levelCount: 4), 0)
    }

    func testPastingNonFiniteOrExtremeBoxesNeverTraps() {
        let map = [Float](repeating: 0.9, count: 28 * 28)
        let size = ImageSize(width: 40, height: 30)
        func paste(_ box: Box) -> PastedMask { pasteMask(map, mapHeight: 28, mapWidth: 28, box: box, imageSize: size) }
        // NaN anywhere: nothing pasted.
        for box in [Box(x1: nan, y1: 0, x2: 10, y2: 10), Box(x1: 0, y1: nan, x2: 10, y2: 10), Box(x1: 0, y1: 0, x2: nan, y2: nan)] {
            XCTAssertEqual(paste(box).bits.filter { $0 != 0 }.count, 0, "\(box)")
        }
        // A box 1e-20 wide: its columns sample the map at ~1e21, past Int (it trapped); all padding.
        XCTAssertEqual(paste(Box(x1: 0, y1: 0, x2: 1e-20, y2: 10)).bits.filter { $0 != 0 }.count, 0)
        // Infinite and huge edges: clamped to the image, no trap.
        for box in [Box(x1: -inf, y1: 0, x2: 10, y2: 10), Box(x1: 0, y1: 0, x2: inf, y2: inf), Box(x1: -1e30, y1: -1e30, x2: 1e30, y2: 1e30),
                    Box(x1: 1e30, y1: 1e30, x2: 2e30, y2: 2e30)] {
            let pasted = paste(box)
            XCTAssertEqual(pasted.bits.count, pasted.width * pasted.height, "\(box)")
            XCTAssertTrue(pasted.width == 0 || pasted.x + pasted.width <= size.width, "\(box)")
            XCTAssertTrue(pasted.height == 0 || pasted.y + pasted.height <= size.height, "\(box)")
            XCTAssertEqual(pasted.rle().counts.reduce(0) { $0 + Int($1) }, size.width * size.height, "\(box)")
        }
    }

    /// The sampling guard changes nothing where a sample can be non-zero: every position
    /// between -1.5 and W + 0.5 samples exactly what the unguarded formula gives.
    func testGuardedSamplingEqualsTheFormulaInsideTheMap() {
        let values = (0..<(5 * 7)).map { Float($0 % 11) / 10 }
        values.withUnsafeBufferPointer { map in
            for ix in stride(from: Float(-1.5), through: 7.5, by: 0.125) {
                for iy in stride(from: Float(-1.5), through: 5.5, by: 0.25) {
                    let x0 = Int(ix.rounded(.down)), y0 = Int(iy.rounded(.down))
                    let wx1 = ix - Float(x0), wy1 = iy - Float(y0), wx0 = 1 - wx1, wy0 = 1 - wy1
                    func at(_ x: Int, _ y: Int) -> Float { (x >= 0 && x < 7 && y >= 0 && y < 5) ? map[y * 7 + x] : 0 }
                    let formula = at(x0, y0) * wx0 * wy0 + at(x0 + 1, y0) * wx1 * wy0 + at(x0, y0 + 1) * wx0 * wy1 + at(x0 + 1, y0 + 1) * wx1 * wy1
                    XCTAssertEqual(sampleBilinearZeroPadded(map, height: 5, width: 7, ix: ix, iy: iy), formula, "\(ix), \(iy)")
                }
            }
            XCTAssertEqual(sampleBilinearZeroPadded(map, height: 5, width: 7, ix: .nan, iy: 1), 0)
            XCTAssertEqual(sampleBilinearZeroPadded(map, height: 5, width: 7, ix: 1, iy: -.infinity), 0)
            XCTAssertEqual(sampleBilinearZeroPadded(map, height: 5, width: 7, ix: 1e30, iy: 1), 0)
        }
    }

    /// Decoding NaN or infinite deltas gives NaN or clipped boxes, never a trap, and the
    /// multi-class NMS keeps finite-scored candidates whatever their boxes.
    func testNonFiniteDeltasDecodeAndPassNMSWithoutTrapping() {
        let roi = Box(x1: 10, y1: 10, x2: 50, y2: 40)
        let deltas = [BoxDelta(dx: nan, dy: 0, dw: 0, dh: 0), BoxDelta(dx: inf, dy: -inf, dw: inf, dh: -inf),
                      BoxDelta(dx: 3e38, dy: 3e38, dw: 3e38, dh: 3e38)]
        let boxes = classSpecificBoxes(rois: [roi, roi, roi], deltas: deltas, classCount: 1, inputSize: ImageSize(width: 64, height: 48),
                                       scaleX: 0.5, scaleY: 0.5)
        XCTAssertTrue(boxes[0].x1.isNaN)
        for box in boxes.dropFirst() {
            XCTAssertTrue([box.x1, box.y1, box.x2, box.y2].allSatisfy { $0.isFinite && $0 >= 0 }, "\(box)")
        }
        let detections = MultiClassNMS().detections(scores: [0.9, 0.1, 0.8, 0.2, 0.7, 0.3], classSpecificBoxes: boxes, classCount: 1)
        XCTAssertEqual(detections.count, 3)
        XCTAssertEqual(roiLevels(detections.boxes).count, 3)
    }
}
