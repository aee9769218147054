// convert stores only RLE masks whose runs cover the image exactly (fit and predict refuse the
// others): pycocotools-encoded strings (scripts/fixtures/make_rle_coverage_fixtures.py) are
// read into the same runs and accepted; short, long and malformed counts are refused.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class RLECoverageTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable { var name: String; var size: [Int]; var counts: String; var runs: [UInt32]; var area: Int }
        var cases: [Case]
    }

    func testPycocotoolsStringsAreReadIntoTheirRunsAndAccepted() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: ImageFixtures.folder + "/rle_coverage.json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        XCTAssertEqual(fixture.cases.count, 8)
        for item in fixture.cases {
            let (height, width) = (item.size[0], item.size[1])
            let runs = try RLECoverage.compressedRuns(Array(item.counts.utf8), limit: UInt64(height * width)).get()
            XCTAssertEqual(runs, item.runs, item.name)
            XCTAssertEqual(stride(from: 1, to: runs.count, by: 2).reduce(0) { $0 + Int(runs[$1]) }, item.area, item.name)
            XCTAssertNil(RLECoverage.defect(of: .compressedRLE(height: height, width: width, counts: Array(item.counts.utf8))), item.name)
            XCTAssertNil(RLECoverage.defect(of: .uncompressedRLE(height: height, width: width, counts: item.runs)), item.name)
        }
    }

    func testRunsThatDoNotCoverTheImageAreDefects() {
        let short = RLECoverage.defect(of: .uncompressedRLE(height: 4, width: 4, counts: [5, 10]))
        XCTAssertEqual(short, "RLE runs add up to 15 pixels, not 4x4 = 16; re-encode the mask with pycocotools.mask.encode on its full 4x4 image")
        XCTAssertNotNil(RLECoverage.defect(of: .uncompressedRLE(height: 4, width: 4, counts: [5, 10, 2])))
        XCTAssertNotNil(RLECoverage.defect(of: .uncompressedRLE(height: 4, width: 4, counts: [UInt32.max, 17])), "no 32-bit wrap-around")
        XCTAssertNil(RLECoverage.defect(of: .uncompressedRLE(height: 4, width: 4, counts: [5, 10, 1])))
        // pycocotools writes a full 4x4 mask as "0`0" ([0, 16]); one run more or less does not cover it.
        XCTAssertNil(RLECoverage.defect(of: .compressedRLE(height: 4, width: 4, counts: Array("0`0".utf8))))
        XCTAssertNil(RLECoverage.defect(of: .compressedRLE(height: 4, width: 4, counts: Array("0`00".utf8))))
        XCTAssertNotNil(RLECoverage.defect(of: .compressedRLE(height: 4, width: 4, counts: Array("0`01".utf8))))
        XCTAssertNotNil(RLECoverage.defect(of: .compressedRLE(height: 4, width: 4, counts: Array("0".utf8))))
    }

    func testMalformedStringsAreRefusedWithTheReason() {
        let cases: [(String, String)] = [
            ("0P\u{7F}", "character 127 at offset 2 is not one of '0'...'o'"),
            ("0Pp", "character 112 at offset 2 is not one of '0'...'o'"),
            ("0P`", "it ends inside run 1"),               // continuation characters up to the end
            ("0ooooooo1", "run 1 takes more than 6 characters"),
            ("0@", "run 1 is -16 pixels, outside 0...16"),
            ("0a0", "run 1 is 17 pixels, outside 0...16"),
        ]
        for (string, reason) in cases {
            let defect = RLECoverage.defect(of: .compressedRLE(height: 4, width: 4, counts: Array(string.utf8))) ?? ""
            XCTAssertTrue(defect.hasPrefix("RLE counts string is malformed: \(reason); re-encode the mask"), "\(string): \(defect)")
        }
    }

    /// In convert: the RLE annotations whose runs do not cover the image are counted as
    /// rle-size-mismatch with the annotation id; the good one is stored.
    func testConvertRefusesRLEWhoseRunsDoNotCoverTheImage() throws {
        let fixture = try PrepFixture(name: "rle")
        defer { fixture.remove() }
        try fixture.write("a.jpg", try ImageFixtures.bytes("grey_16x16.jpg"))
        func annotation(_ id: Int, _ counts: String) -> String {
            #"{"id": \#(id), "image_id": 1, "category_id": 1, "bbox": [0, 0, 16, 16], "area": 10, "iscrowd": 1, "segmentation": {"size": [16, 16], "counts": \#(counts)}}"#
        }
        let annotations = try fixture.writeJSON("""
        {"images": [{"id": 1, "width": 16, "height": 16, "file_name": "a.jpg"}],
         "annotations": [\(annotation(1, "[5, 10, 241]")), \(annotation(2, "[5, 10]")), \(annotation(3, "[5, 10, 241, 1]")),
                         \(annotation(4, #""0P8""#)), \(annotation(5, #""0P""#)), \(annotation(6, #""0@""#))],
         "categories": [{"id": 1, "name": "crowd"}]}
        """)
        let report = try fixture.convert(annotations, out: fixture.root + "/out")
        XCTAssertEqual(report.counts.instances, 2, "\(report.problems.lines)")   // 1 and 4 ("0P8" = [0, 256])
        XCTAssertEqual(report.problems.count(.rleSizeMismatch), 4, "\(report.problems.lines)")
        let examples = report.problems.examples[ProblemKind.rleSizeMismatch.rawValue] ?? []
        XCTAssertEqual(examples.first, "annotation id 2 (image 1): RLE runs add up to 15 pixels, not 16x16 = 256; "
                       + "re-encode the mask with pycocotools.mask.encode on its full 16x16 image")
    }
}
