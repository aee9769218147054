// Pairwise IoU: torchvision `box_iou` goldens, the fast kernel against the naive one
// (serial and parallel), and properties (symmetry, range, self-IoU, disjoint boxes).
import XCTest
@testable import SharedDetection
import SharedSupport

final class BoxIoUTests: XCTestCase {
    func testMatchesTorchvisionBoxIoU() throws {
        let fixture = try Fixture.load("box_iou.json")
        let a = Fixture.boxes(fixture["a"]), b = Fixture.boxes(fixture["b"])
        let expected = (fixture["iou"] as! [Any]).flatMap { Fixture.floats($0) }
        let iou = pairwiseIoU(a, b)
        XCTAssertEqual(iou.rows, a.count)
        XCTAssertEqual(iou.columns, b.count)
        assertClose(iou.values, expected, absolute: 1e-6, relative: 1e-5)
        XCTAssertEqual(iou[0, 0], 1, accuracy: 1e-6)
    }

    func testFastKernelEqualsNaiveSerialAndParallel() {
        var source = SeededRandomBoxSource(seed: 11)
        let a = randomBoxes(700, random: &source), b = randomBoxes(90, random: &source)
        let naive = pairwiseIoUNaive(a, b)
        XCTAssertEqual(pairwiseIoU(a, b), naive)
        XCTAssertEqual(pairwiseIoU(a, b, parallelism: Parallelism(threads: 2)), naive)
        XCTAssertEqual(pairwiseIoU(a, b, parallelism: Parallelism(threads: 3)), naive)
    }

    func testPropertiesSymmetryRangeSelfAndDisjoint() {
        var source = SeededRandomBoxSource(seed: 12)
        let a = randomBoxes(40, random: &source), b = randomBoxes(30, random: &source)
        let ab = pairwiseIoU(a, b), ba = pairwiseIoU(b, a)
        for i in 0..<a.count {
            for j in 0..<b.count {
                XCTAssertEqual(ab[i, j], ba[j, i])
                XCTAssert(ab[i, j] >= 0 && ab[i, j] <= 1)
            }
            XCTAssertEqual(intersectionOverUnion(a[i], a[i]), 1, accuracy: 1e-6)
        }
        let left = Box(x1: 0, y1: 0, x2: 10, y2: 10), right = Box(x1: 10, y1: 0, x2: 20, y2: 10)
        XCTAssertEqual(intersectionOverUnion(left, right), 0)
        // Hand-computed: [0,0,10,10] vs [5,0,15,10]: inter 50, union 150.
        XCTAssertEqual(intersectionOverUnion(left, Box(x1: 5, y1: 0, x2: 15, y2: 10)), 1.0 / 3.0, accuracy: 1e-7)
        // Two empty boxes: 0, not NaN.
        let empty = Box(x1: 3, y1: 3, x2: 3, y2: 3)
        XCTAssertEqual(intersectionOverUnion(empty, empty), 0)
    }

    func testEmptyInputsGiveEmptyMatrices() {
        let boxes = [Box(x1: 0, y1: 0, x2: 1, y2: 1)]
        XCTAssertEqual(pairwiseIoU([], boxes).values.count, 0)
        XCTAssertEqual(pairwiseIoU(boxes, []).rows, 1)
        XCTAssertEqual(pairwiseIoU(boxes, []).columns, 0)
    }
}
