// Mask targets, geometry: polygons shifted by the RoI origin and scaled by 28 / w, 28 / h
// (mmdetection 2.8 crop_and_resize), against the fixture's mapping and hand-computed cases.
import XCTest
@testable import SharedDetection

final class MaskTargetTests: XCTestCase {
    func testMappingMatchesTheFixture() throws {
        let fixture = try Fixture.load("mask_targets.json")
        for case_ in Fixture.objects(fixture["cases"]) {
            let polygons = (case_["polygons"] as! [Any]).map { Fixture.doubles($0) }
            let expected = (case_["mapped"] as! [Any]).map { Fixture.doubles($0) }
            let mapped = polygonsInRoI(polygons, roi: Fixture.box(case_["roi"]), maskSize: 28)
            XCTAssertEqual(mapped.count, expected.count)
            for (m, e) in zip(mapped, expected) {
                XCTAssertEqual(m.count, e.count)
                for (a, b) in zip(m, e) { XCTAssertEqual(a, b, accuracy: 1e-9) }
            }
        }
    }

    func testHandComputedMapping() {
        // RoI (10, 20)-(24, 76): w 14, h 56 -> x scale 2, y scale 0.5.
        let mapped = polygonsInRoI([[10, 20, 24, 20, 24, 76, 17, 48]], roi: Box(x1: 10, y1: 20, x2: 24, y2: 76))
        XCTAssertEqual(mapped, [[0, 0, 28, 0, 28, 28, 14, 14]])
        // A RoI narrower than one pixel is treated as 1 pixel wide (mmdetection's max(w, 1)).
        let thin = polygonsInRoI([[5, 0, 5.5, 0]], roi: Box(x1: 5, y1: 0, x2: 5.25, y2: 28), maskSize: 28)
        XCTAssertEqual(thin, [[0, 0, 14, 0]])
    }
}
