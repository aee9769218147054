// Mask targets of hostile polygons (issue "hostile input": a vertex at x = 1e9 made fit's
// mask targets allocate 17 GB): bounded by vertices x target size whatever the coordinates,
// the same bits as the unclipped pycocotools walk where it can run, no trap on odd lengths.
import SharedMasks
import SharedSupport
import XCTest
@testable import SharedDetection

final class MaskTargetHostileTests: XCTestCase {
    private let roi = Box(x1: 10, y1: 10, x2: 40, y2: 60)

    func testFarAndNonFiniteVerticesAreCheap() {
        var zigzag: [Double] = []  // 500 vertices between x = ±1e7 (±1e9 overflows C's int: INT_MIN)
        for i in 0..<500 { zigzag += [i % 2 == 0 ? 1e7 : -1e7, 10 + Double(i) / 10] }
        let polygons: [[Double]] = [
            [12, 12, 1e9, 20, 30, 50],                  // the polygon reaching x = 1e9
            [12, 12, 30, 12, 30, 1e39],                 // 1e39: finite in f64, past Int32 after x5
            [12, 12, Double.infinity, 20, 30, 50],      // 1e39 stored as f32: infinite
            [Double.nan, 12, 30, 12, 30, 50],
            zigzag,
        ]
        for polygon in polygons {
            let clock = Stopwatch()
            let target = maskTarget(polygons: [polygon], roi: roi, maskSize: 28)
            XCTAssertLessThan(clock.elapsed, 1, "\(polygon.prefix(6))")
            XCTAssertEqual(target.count, 28 * 28)
        }
        // The zig-zag crosses every target column 500 times, with rows in between on.
        let target = maskTarget(polygons: [zigzag], roi: roi, maskSize: 28)
        XCTAssertGreaterThan(target.reduce(0) { $0 + Int($1) }, 0)
    }

    /// Where the dense walk can run (vertices a few thousand pixels out), the targets are
    /// the ones it gives, so training on valid data keeps its bits.
    func testTargetsEqualTheDenseWalk() {
        var random = SeededRandom(seed: 28)
        for index in 0..<150 {
            let vertices = 3 + random.nextInt(below: 8)
            let reach = [1.0, 4, 20][index % 3]
            var polygon: [Double] = []
            for _ in 0..<(2 * vertices) { polygon.append((random.nextDouble() * 2 - 0.5) * 50 * reach) }
            let x1 = Float(random.nextDouble() * 40), y1 = Float(random.nextDouble() * 40)
            let box = Box(x1: x1, y1: y1, x2: x1 + 5 + Float(random.nextDouble() * 40), y2: y1 + 5 + Float(random.nextDouble() * 40))
            let mapped = polygonsInRoI([polygon], roi: box, maskSize: 28)
            let reference = RLE.denseWalkReference(polygon: mapped[0], height: 28, width: 28).decodeRowMajor()
            XCTAssertEqual(maskTarget(polygons: [polygon], roi: box, maskSize: 28), reference, "case \(index): \(polygon)")
        }
    }

    /// A polygon with an odd number of values (only a damaged or hand-made shard has one)
    /// loses its last value, as pycocotools reads it, instead of trapping.
    func testOddLengthPolygonDropsItsLastValue() {
        let odd = maskTarget(polygons: [[12, 12, 30, 12, 30, 50, 7]], roi: roi, maskSize: 28)
        XCTAssertEqual(odd, maskTarget(polygons: [[12, 12, 30, 12, 30, 50]], roi: roi, maskSize: 28))
        XCTAssertEqual(polygonsInRoI([[10, 10, 40, 10, 25]], roi: roi, maskSize: 28), [[0, 0, 28, 0]])
    }
}
