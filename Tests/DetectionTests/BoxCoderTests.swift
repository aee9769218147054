// Box coding: torchvision `BoxCoder(weights = 1 / stds)` goldens for the RPN and RCNN stds,
// encode/decode round trips, the log(1000/16) clamp and clipping to the image.
import XCTest
import Foundation
@testable import SharedDetection

final class BoxCoderTests: XCTestCase {
    func testMatchesTorchvisionBoxCoder() throws {
        let fixture = try Fixture.load("box_coder.json")
        for case_ in Fixture.objects(fixture["cases"]) {
            let s = Fixture.floats(case_["stds"])
            let coder = DeltaXYWHBoxCoder(stds: (s[0], s[1], s[2], s[3]))
            let references = Fixture.boxes(case_["references"]), targets = Fixture.boxes(case_["targets"])
            let encoded = coder.encode(targets, relativeTo: references).flatMap { [$0.dx, $0.dy, $0.dw, $0.dh] }
            assertClose(encoded, (case_["encoded"] as! [Any]).flatMap { Fixture.floats($0) }, absolute: 1e-5, relative: 1e-5, "encode stds \(s)")
            let deltas = (case_["deltas"] as! [Any]).map { row -> BoxDelta in
                let d = Fixture.floats(row)
                return BoxDelta(dx: d[0], dy: d[1], dw: d[2], dh: d[3])
            }
            let decoded = coder.decode(deltas, relativeTo: references).flatMap(\.corners)
            assertClose(decoded, (case_["decoded"] as! [Any]).flatMap { Fixture.floats($0) }, absolute: 1e-3, relative: 1e-5, "decode stds \(s)")
        }
    }

    func testPresetsAndHandComputedCase() {
        XCTAssertEqual(DeltaXYWHBoxCoder.rcnn.stds.0, 0.1); XCTAssertEqual(DeltaXYWHBoxCoder.rcnn.stds.3, 0.2)
        XCTAssertEqual(DeltaXYWHBoxCoder.rpn.stds.2, 1)
        XCTAssertEqual(DeltaXYWHBoxCoder.defaultMaxLogRatio, Float(log(1000.0 / 16.0)), accuracy: 1e-6)
        // Reference centre (5, 5) size 10x10; target centre (7, 4) size 20x5 (no +1 anywhere).
        let reference = Box(x1: 0, y1: 0, x2: 10, y2: 10), target = Box(x1: -3, y1: 1.5, x2: 17, y2: 6.5)
        let delta = DeltaXYWHBoxCoder.rcnn.encode(target, relativeTo: reference)
        XCTAssertEqual(delta.dx, 0.2 / 0.1, accuracy: 1e-5)
        XCTAssertEqual(delta.dy, -0.1 / 0.1, accuracy: 1e-5)
        XCTAssertEqual(delta.dw, Float(log(2.0)) / 0.2, accuracy: 1e-5)
        XCTAssertEqual(delta.dh, Float(log(0.5)) / 0.2, accuracy: 1e-5)
    }

    func testRoundTripsForBothCoders() {
        var source = SeededRandomBoxSource(seed: 21)
        let references = randomBoxes(200, minimumSide: 2, random: &source)
        let targets = randomBoxes(200, minimumSide: 2, random: &source)
        for coder in [DeltaXYWHBoxCoder.rpn, .rcnn, DeltaXYWHBoxCoder(means: (0.1, -0.2, 0.05, 0), stds: (0.5, 0.5, 1, 1))] {
            let decoded = coder.decode(coder.encode(targets, relativeTo: references), relativeTo: references)
            for (d, t) in zip(decoded, targets) { assertClose(d, t, tolerance: 1e-3) }
            // Zero delta decodes to the reference itself.
            let zeroDelta = BoxDelta(dx: -coder.means.0 / coder.stds.0, dy: -coder.means.1 / coder.stds.1,
                                     dw: -coder.means.2 / coder.stds.2, dh: -coder.means.3 / coder.stds.3)
            assertClose(coder.decode(zeroDelta, relativeTo: references[0]), references[0])
        }
    }

    func testDecodeClampsWidthRatioFromBothSidesAndClipsToImage() {
        let reference = Box(x1: 0, y1: 0, x2: 16, y2: 16)
        let maxRatio = Float(1000.0 / 16.0)
        let huge = DeltaXYWHBoxCoder.rpn.decode(BoxDelta(dx: 0, dy: 0, dw: 50, dh: -50), relativeTo: reference)
        XCTAssertEqual(huge.width, 16 * maxRatio, accuracy: 1e-2)
        XCTAssertEqual(huge.height, 16 / maxRatio, accuracy: 1e-4)
        let tiny = DeltaXYWHBoxCoder.rpn.decode(BoxDelta(dx: 0, dy: 0, dw: -50, dh: 50), relativeTo: reference)
        XCTAssertEqual(tiny.width, 16 / maxRatio, accuracy: 1e-4)
        XCTAssertEqual(tiny.height, 16 * maxRatio, accuracy: 1e-2)
        let clipped = DeltaXYWHBoxCoder.rpn.decode(BoxDelta(dx: 0, dy: 0, dw: 3, dh: 3), relativeTo: reference,
                                                   clipTo: ImageSize(width: 40, height: 30))
        XCTAssertEqual(clipped, Box(x1: 0, y1: 0, x2: 40, y2: 30))
    }
}
