// Audit regression: a convert that finds none of its images (a wrong --images) fails without
// leaving a manifest or a complete-looking empty shard, so neither `verify` nor a reader takes
// it for an empty dataset, and a re-run with the right folder converts every image.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class MissingImagesTests: XCTestCase {
    func makeDataset(_ fixture: PrepFixture, imagesOnDisk: Bool) throws -> String {
        var images: [String] = [], annotations: [String] = []
        for id in 1...3 {
            if imagesOnDisk {
                try fixture.write("\(id).png", PNGCodec.encode(PrepFixture.rectangleImage(width: 32, height: 24, x: 4, y: 4, w: 8, h: 8)))
            }
            images.append(#"{"id": \#(id), "width": 32, "height": 24, "file_name": "\#(id).png"}"#)
            annotations.append(#"{"id": \#(id), "image_id": \#(id), "category_id": 1, "bbox": [4, 4, 8, 8], "area": 64, "iscrowd": 0}"#)
        }
        return try fixture.writeJSON("""
        {"images": [\(images.joined(separator: ","))], "annotations": [\(annotations.joined(separator: ","))],
         "categories": [{"id": 1, "name": "box"}]}
        """)
    }

    func testNoImageFoundFailsAndLeavesNoManifestOrShard() throws {
        let fixture = try PrepFixture(name: "no-images")
        defer { fixture.remove() }
        let annotations = try makeDataset(fixture, imagesOnDisk: false)
        let out = fixture.root + "/out"
        XCTAssertThrowsError(try fixture.convert(annotations, out: out, recordsPerShard: 2)) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.exitCode, .dataError)
            XCTAssertTrue(toolError?.message.hasPrefix("none of the 3 images was found under ") ?? false, "\(error)")
            XCTAssertTrue(toolError?.hint?.contains("--skip-missing-images") ?? false, "\(error)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        XCTAssertFalse(files.contains(ShardManifest.fileName), "\(files)")
        XCTAssertFalse(files.contains { $0.hasPrefix("shard-") }, "\(files)")
        XCTAssertThrowsError(try ShardDataset(directory: out))

        // The images appear: the same command now converts all of them (nothing stale kept).
        _ = try makeDataset(fixture, imagesOnDisk: true)
        let report = try fixture.convert(annotations, out: out, recordsPerShard: 2)
        XCTAssertEqual(report.shardsReused, 0)
        XCTAssertEqual(report.counts.images, 3)
        XCTAssertEqual(try ShardDataset(directory: out).count, 3)
    }

    func testExpectedMissingImagesStillGiveAManifest() throws {
        let fixture = try PrepFixture(name: "no-images-expected")
        defer { fixture.remove() }
        let annotations = try makeDataset(fixture, imagesOnDisk: false)
        let out = fixture.root + "/out"
        let report = try fixture.convert(annotations, out: out, missingImagesExpected: true)
        XCTAssertEqual(report.problems.count(.missingImage), 3)
        XCTAssertEqual(try ShardManifest.read(directory: out).counts.images, 0)
    }
}
