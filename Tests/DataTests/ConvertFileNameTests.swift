// convert reads image files only inside --images (issue "Hostile input": `../../secret.jpg`,
// absolute paths and `/proc/self/environ` were opened and stored; a NUL cut a name short):
// such names are counted as unsafe-file-name with the image id and what to do, unless
// --allow-outside-images; symbolic links inside the image root are followed (its owner made
// them); and a FIFO named by the json is never waited on.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class ConvertFileNameTests: XCTestCase {
    var fixture: PrepFixture!
    var jpeg: [UInt8] = []

    override func setUpWithError() throws {
        fixture = try PrepFixture(name: "names")
        jpeg = try ImageFixtures.bytes("grey_16x16.jpg")
        try fixture.write("good.jpg", jpeg)
        try Data(jpeg).write(to: URL(fileURLWithPath: fixture.root + "/outside.jpg"))
    }

    override func tearDownWithError() throws { fixture.remove() }

    func dataset(_ names: [(key: String, value: String)]) throws -> String {
        let images = names.enumerated().map { index, name in
            #"{"id": \#(index + 1), "width": 16, "height": 16, "\#(name.key)": \#(name.value)}"#
        }
        return try fixture.writeJSON("""
        {"images": [\(images.joined(separator: ",\n"))], "annotations": [], "categories": [{"id": 1, "name": "thing"}]}
        """)
    }

    var hostileNames: [(key: String, value: String)] {
        [("file_name", #""good.jpg""#),
         ("file_name", #""../outside.jpg""#),
         ("file_name", "\"\(fixture.root)/outside.jpg\""),
         ("file_name", #""/proc/self/environ""#),
         ("file_name", #""good.jpg\u0000zzz""#),
         ("coco_url", #""http://images.cocodataset.org/../outside.jpg""#)]
    }

    func testNamesLeavingTheImageRootAreRefused() throws {
        let annotations = try dataset(hostileNames)
        let out = fixture.root + "/out"
        let report = try fixture.convert(annotations, out: out)
        XCTAssertEqual(report.counts.images, 1)
        XCTAssertEqual(report.problems.count(.unsafeFileName), 5, "\(report.problems.lines)")
        let line = try XCTUnwrap(report.problems.lines.first { $0.hasPrefix("unsafe-file-name: 5 (e.g. ") })
        XCTAssertTrue(line.contains(#"image id 2: file name "../outside.jpg" has a ".." component, which leaves --images; fix the name, or pass --allow-outside-images"#), line)
        XCTAssertTrue(line.contains("image id 3: file name \"\(fixture.root)/outside.jpg\" is an absolute path"), line)
        XCTAssertTrue(line.contains(#"image id 4: file name "/proc/self/environ" is an absolute path"#), line)
        let all = report.problems.examples[ProblemKind.unsafeFileName.rawValue] ?? []
        XCTAssertEqual(all.count, ProblemLog.examplesPerKind)
        let shards = try ShardDataset(directory: out)
        XCTAssertEqual(try shards.record(at: 0).fileName, "good.jpg")
        // With --strict the first one stops the run (exit 1), naming the json.
        XCTAssertThrowsError(try fixture.convert(annotations, out: fixture.root + "/strict", strict: true)) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .dataError)
            XCTAssertEqual((error as? ToolError)?.file, annotations)
            XCTAssertTrue("\(error)".contains("unsafe-file-name"), "\(error)")
        }
    }

    func testNULInANameIsRefusedEvenWhenOutsideNamesAreAllowed() throws {
        let annotations = try dataset([("file_name", #""good.jpg\u0000zzz""#)])
        for allow in [false, true] {
            let report = try fixture.convert(annotations, out: fixture.root + "/out-\(allow)",
                                             limits: ImageLimits(allowOutsideImages: allow))
            XCTAssertEqual(report.counts.images, 0)
            XCTAssertEqual(report.problems.lines, [#"unsafe-file-name: 1 (e.g. image id 1: file name "good.jpg\0zzz" contains a NUL character "#
                                                   + "(the file system would read only the part before it); fix the name in the json)"])
        }
    }

    func testAllowOutsideImagesReadsRelativeAndAbsoluteNamesOutsideTheRoot() throws {
        let annotations = try dataset(hostileNames.filter { !$0.value.contains("environ") && !$0.value.contains("u0000") })
        let out = fixture.root + "/out"
        let report = try fixture.convert(annotations, out: out, limits: ImageLimits(allowOutsideImages: true))
        XCTAssertTrue(report.problems.isEmpty, "\(report.problems.lines)")
        let shards = try ShardDataset(directory: out)
        XCTAssertEqual(try (0..<shards.count).map { try shards.record(at: $0).fileName },
                       ["good.jpg", "../outside.jpg", fixture.root + "/outside.jpg", "../outside.jpg"])
        XCTAssertEqual(try shards.record(at: 2).imageBytes, jpeg)
    }

    /// The check is on the json's names; a symbolic link the image root's owner made (say
    /// train2017 -> another disk) is followed.
    func testSymbolicLinksInsideTheImageRootAreFollowed() throws {
        try makeDirectory(fixture.root + "/elsewhere")
        try Data(jpeg).write(to: URL(fileURLWithPath: fixture.root + "/elsewhere/a.jpg"))
        XCTAssertEqual(symlink(fixture.root + "/elsewhere", fixture.images + "/train2017"), 0)
        let annotations = try dataset([("file_name", #""train2017/a.jpg""#)])
        let report = try fixture.convert(annotations, out: fixture.root + "/out")
        XCTAssertEqual(report.counts.images, 1)
        XCTAssertTrue(report.problems.isEmpty, "\(report.problems.lines)")
    }

    /// Opening a FIFO for reading waits for a writer; convert opens without waiting and
    /// treats it as no image file.
    func testAFIFONamedByTheJSONIsNotWaitedOn() throws {
        XCTAssertEqual(mkfifo(fixture.images + "/pipe.jpg", 0o600), 0)
        let annotations = try dataset([("file_name", #""good.jpg""#), ("file_name", #""pipe.jpg""#)])
        let report = try fixture.convert(annotations, out: fixture.root + "/out")
        XCTAssertEqual(report.counts.images, 1)
        XCTAssertEqual(report.problems.count(.missingImage), 1)
    }

    func testFileNameDefects() {
        XCTAssertNil(PrepPlan.fileNameDefect("train2017/a.jpg", allowOutsideImages: false))
        XCTAssertNil(PrepPlan.fileNameDefect("a/./b..jpg", allowOutsideImages: false))
        XCTAssertNil(PrepPlan.fileNameDefect("..a/b", allowOutsideImages: false))
        XCTAssertNotNil(PrepPlan.fileNameDefect("a/../../b.jpg", allowOutsideImages: false))
        XCTAssertNotNil(PrepPlan.fileNameDefect("a//..//b.jpg", allowOutsideImages: false))
        XCTAssertNotNil(PrepPlan.fileNameDefect("..", allowOutsideImages: false))
        XCTAssertNotNil(PrepPlan.fileNameDefect("/etc/passwd", allowOutsideImages: false))
        XCTAssertNil(PrepPlan.fileNameDefect("/etc/passwd", allowOutsideImages: true))
        XCTAssertNotNil(PrepPlan.fileNameDefect("a\u{0}b", allowOutsideImages: true))
        let long = String(repeating: "x", count: 5000)
        XCTAssertEqual(PrepPlan.displayed(long).count, 163, "cut to 160 characters, quoted, with an ellipsis")
    }
}
