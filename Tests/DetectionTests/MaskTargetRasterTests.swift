// Mask targets, raster part: the 28 x 28 targets of polygons in a RoI, rasterised by
// SharedMasks, against pycocotools (frPyObjects + merge + decode) goldens.
import XCTest
@testable import SharedDetection

final class MaskTargetRasterTests: XCTestCase {
    func testRasterisedTargetsMatchPycocotools() throws {
        let fixture = try Fixture.load("mask_targets.json")
        for (index, case_) in Fixture.objects(fixture["cases"]).enumerated() {
            let polygons = (case_["polygons"] as! [Any]).map { Fixture.doubles($0) }
            let target = maskTarget(polygons: polygons, roi: Fixture.box(case_["roi"]), maskSize: 28)
            XCTAssertEqual(target.map(Int.init), Fixture.ints(case_["target"]), "case \(index)")
        }
    }

    func testWholeRoICoveredGivesAllOnes() {
        // A polygon covering more than the RoI fills every target pixel.
        let target = maskTarget(polygons: [[0, 0, 100, 0, 100, 100, 0, 100]], roi: Box(x1: 10, y1: 10, x2: 40, y2: 60))
        XCTAssertEqual(target.count, 28 * 28)
        XCTAssertEqual(target.reduce(0) { $0 + Int($1) }, 28 * 28)
        let outside = maskTarget(polygons: [[200, 200, 300, 200, 300, 300]], roi: Box(x1: 10, y1: 10, x2: 40, y2: 60))
        XCTAssertEqual(outside.reduce(0) { $0 + Int($1) }, 0)
    }
}
