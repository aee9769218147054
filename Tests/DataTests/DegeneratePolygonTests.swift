// Audit regression: a polygon convert cannot use (odd number of coordinates, fewer than 3
// points, zero area, points far outside the image) is counted as `degenerate-polygon` even when the annotation keeps
// another, usable polygon, and --strict stops on it (it used to be dropped silently).
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class DegeneratePolygonTests: XCTestCase {
    func testEachDefectIsNamed() {
        XCTAssertNil(PrepPlan.polygonDefect([0, 0, 4, 0, 4, 4]))
        XCTAssertEqual(PrepPlan.polygonDefect([0, 0, 4, 0, 4, 4, 0]), "7 numbers (odd, so not x,y pairs)")
        XCTAssertEqual(PrepPlan.polygonDefect([0, 0, 4, 0]), "2 point(s) (fewer than 3)")
        XCTAssertEqual(PrepPlan.polygonDefect([0, 0, 2, 2, 4, 4]), "zero area")
        XCTAssertEqual(PrepPlan.polygonDefect([0, 0, 4, .nan, 4, 4]), "a coordinate is not finite")
        let check = PrepPlan.checkPolygons([[0, 0, 4, 0, 4], [0, 0, 4, 0, 4, 4], [1, 1, 1, 1, 1, 1]], imageWidth: 8, imageHeight: 6)
        XCTAssertEqual(check.usable, [[0, 0, 4, 0, 4, 4]])
        XCTAssertEqual(check.defects, ["polygon 0: 5 numbers (odd, so not x,y pairs)", "polygon 2: zero area"])
    }

    /// Issue "hostile input": a vertex at x = 1e9 (or 1e39, infinite once stored as f32)
    /// passed convert and made fit's mask targets allocate 17 GB. Points more than an image
    /// size outside the image are a defect; up to that reach, overhangs are kept.
    func testPointsFarOutsideTheImageAreADefect() {
        XCTAssertNil(PrepPlan.polygonOutsideImage([-64, -48, 128, 96, 0, 96], imageWidth: 64, imageHeight: 48))
        XCTAssertEqual(PrepPlan.polygonOutsideImage([0, 0, 1e9, 5, 5, 5], imageWidth: 64, imageHeight: 48),
                       "point (1000000000.0, 5.0) is more than an image size outside the 64x48 image")
        XCTAssertNotNil(PrepPlan.polygonOutsideImage([0, 0, 4, 0, 4, 1e39], imageWidth: 64, imageHeight: 48))
        XCTAssertNotNil(PrepPlan.polygonOutsideImage([0, 0, -64.5, 0, 4, 4], imageWidth: 64, imageHeight: 48))
        XCTAssertNotNil(PrepPlan.polygonOutsideImage([0, 0, 4, 0, 4, 96.5], imageWidth: 64, imageHeight: 48))
        let check = PrepPlan.checkPolygons([[0, 0, 1e9, 5, 5, 5], [0, 0, 4, 0, 4, 4]], imageWidth: 64, imageHeight: 48)
        XCTAssertEqual(check.usable, [[0, 0, 4, 0, 4, 4]])
        XCTAssertEqual(check.defects, ["polygon 0: point (1000000000.0, 5.0) is more than an image size outside the 64x48 image"])
    }

    /// One image, annotation 1 with an odd polygon beside a good one, annotation 2 clean.
    func makeDataset(_ fixture: PrepFixture) throws -> String {
        try fixture.write("a.png", PNGCodec.encode(PrepFixture.rectangleImage(width: 64, height: 48, x: 10, y: 8, w: 20, h: 16)))
        return try fixture.writeJSON("""
        {"images": [{"id": 1, "width": 64, "height": 48, "file_name": "a.png"}],
         "annotations": [
          {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 8, 20, 16], "area": 320, "iscrowd": 0,
           "segmentation": [[10, 8, 30, 8, 30, 24], [10, 8, 30, 8, 30, 24, 10, 24, 10]]},
          {"id": 2, "image_id": 1, "category_id": 1, "bbox": [10, 8, 20, 16], "area": 320, "iscrowd": 0,
           "segmentation": [[10, 8, 30, 8, 30, 24, 10, 24]]}],
         "categories": [{"id": 1, "name": "box"}]}
        """)
    }

    func testPartlyDegenerateAnnotationIsKeptCountedAndReported() throws {
        let fixture = try PrepFixture(name: "odd-polygon")
        defer { fixture.remove() }
        let annotations = try makeDataset(fixture)
        let plan = PrepPlan(dataset: try Dataset.load(path: annotations), annotationsPath: annotations)
        XCTAssertEqual(plan.problems.count(.degeneratePolygon), 1)
        XCTAssertEqual(plan.problems.total, 1)
        let line = try XCTUnwrap(plan.problems.lines.first)
        XCTAssertTrue(line.hasPrefix("degenerate-polygon: 1 (e.g. annotation id 1 (image 1): dropped 1 of 2 polygon(s)"), line)
        XCTAssertTrue(line.contains("polygon 1: 9 numbers (odd"), line)
        // The annotation stays, with its good polygon only.
        XCTAssertEqual(plan.images[0].instances.map(\.annotationID), [AnnotationID(1), AnnotationID(2)])
        XCTAssertEqual(plan.images[0].instances[0].segmentation, .polygons([[10, 8, 30, 8, 30, 24]]))

        let report = try fixture.convert(annotations, out: fixture.root + "/out")
        XCTAssertEqual(report.problems.count(.degeneratePolygon), 1)
        XCTAssertEqual(report.counts.instances, 2)
        XCTAssertEqual(try ShardManifest.read(directory: fixture.root + "/out").skipped["degenerate-polygon"], 1)
    }

    func testStrictStopsOnAPartlyDegenerateAnnotation() throws {
        let fixture = try PrepFixture(name: "odd-polygon-strict")
        defer { fixture.remove() }
        let annotations = try makeDataset(fixture)
        XCTAssertThrowsError(try fixture.convert(annotations, out: fixture.root + "/out", strict: true)) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.exitCode, .dataError)
            XCTAssertTrue(toolError?.message.contains("degenerate-polygon") ?? false, "\(error)")
        }
    }
}
