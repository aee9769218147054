// MFS box jitter: 16 boxes per GT, one per sign pattern (each coordinate moves in its sign's
// direction by at most a sixth of the side), clipping to the image, IoU with the GT >= 4/9,
// regression targets that decode back to the GT, determinism per seed.
import XCTest
@testable import SharedLongTail
import SharedDetection
import SharedSupport

final class BoxJitterTests: XCTestCase {
    let gts = [Box(x1: 40, y1: 30, x2: 100, y2: 90), Box(x1: 150, y1: 20, x2: 170, y2: 140), Box(x1: 0, y1: 0, x2: 60, y2: 30)]
    let size = ImageSize(width: 200, height: 160)

    func testSixteenPerGTWithTheSignPatterns() {
        var random = SeededRandom(seed: 1)
        let jittered = jitterBoxes(Array(gts[0...1]), imageSize: size, random: &random)  // both well inside: no clipping
        XCTAssertEqual(jittered.count, 32)
        for (index, j) in jittered.enumerated() {
            XCTAssertEqual(j.groundTruthIndex, index / 16)
            XCTAssertEqual(j.signPattern, index % 16)
            let gt = gts[j.groundTruthIndex]
            let moves = [j.box.x1 - gt.x1, j.box.y1 - gt.y1, j.box.x2 - gt.x2, j.box.y2 - gt.y2]
            let limits = [gt.width / 6, gt.height / 6, gt.width / 6, gt.height / 6]
            for c in 0..<4 {
                let sign: Float = (j.signPattern >> (3 - c)) & 1 == 1 ? 1 : -1
                XCTAssertGreaterThanOrEqual(moves[c] * sign, 0, "variant \(j.signPattern) coordinate \(c)")
                XCTAssertLessThan(abs(moves[c]), limits[c] + 1e-4)
            }
        }
        XCTAssertEqual(Set(jittered.map(\.signPattern)).count, 16)
        // The reference's order: variant 0 moves every side outward-left/up (-, -, -, -), variant 15 all +;
        // variant 8 = (+, -, -, -) moves only x1 right; variant 1 = (-, -, -, +) moves only y2 down.
        let gt = gts[0]
        XCTAssert(jittered[8].box.x1 >= gt.x1 && jittered[8].box.y1 <= gt.y1 && jittered[8].box.x2 <= gt.x2 && jittered[8].box.y2 <= gt.y2)
        XCTAssert(jittered[1].box.x1 <= gt.x1 && jittered[1].box.y1 <= gt.y1 && jittered[1].box.x2 <= gt.x2 && jittered[1].box.y2 >= gt.y2)
    }

    func testClippingAndIoUBound() {
        var random = SeededRandom(seed: 2)
        var minimum: Float = 1
        for _ in 0..<200 {
            for j in jitterBoxes(gts, imageSize: size, random: &random) {
                XCTAssert(j.box.x1 >= 0 && j.box.y1 >= 0 && j.box.x2 <= 200 && j.box.y2 <= 160, "\(j.box)")
                let iou = intersectionOverUnion(j.box, gts[j.groundTruthIndex])
                minimum = min(minimum, iou)
                XCTAssertGreaterThanOrEqual(iou, 4.0 / 9.0 - 1e-5)
            }
        }
        XCTAssertLessThan(minimum, 0.5, "the worst case should come near 4/9")
    }

    func testTargetsDecodeToTheGTAndDeterminism() {
        var a = SeededRandom(seed: 3), b = SeededRandom(seed: 3)
        let first = jitterBoxes(gts, imageSize: size, random: &a)
        XCTAssertEqual(first, jitterBoxes(gts, imageSize: size, random: &b))
        for j in first {
            let decoded = DeltaXYWHBoxCoder.rcnn.decode(j.target, relativeTo: j.box)
            let gt = gts[j.groundTruthIndex]
            for (x, y) in zip(decoded.corners, gt.corners) { XCTAssertEqual(x, y, accuracy: 1e-3) }
        }
    }

    func testFirstIndicesPerLabelCaps() {
        XCTAssertEqual(firstIndicesPerLabel([3, 3, 1, 3, 1, 3], limit: 2), [0, 1, 2, 4])
        let labels = Array(repeating: 7, count: 96) + Array(repeating: 2, count: 16)
        XCTAssertEqual(firstIndicesPerLabel(labels, limit: 80).count, 96)
    }
}
