// convert on hostile images (issue "Hostile input"): json sizes that are zero, negative or
// over --max-pixels, files bigger than such an image, headers that disagree with the json,
// JPEGs libjpeg cannot turn into RGB: each counted by kind with the image id and what to do,
// never a trap, and everything stored decodes the way fit reads it.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class ConvertImageRefusalTests: XCTestCase {
    var fixture: PrepFixture!

    override func setUpWithError() throws { fixture = try PrepFixture(name: "refusal") }
    override func tearDownWithError() throws { fixture.remove() }

    /// One polygon annotation per image (ids as the images').
    func dataset(_ images: [String], annotate ids: [Int]) throws -> String {
        let annotations = ids.map { #"{"id": \#($0), "image_id": \#($0), "category_id": 1, "bbox": [1, 1, 4, 4], "area": 16, "segmentation": [[1,1,5,1,5,5]]}"# }
        return try fixture.writeJSON("""
        {"images": [\(images.joined(separator: ",\n"))], "annotations": [\(annotations.joined(separator: ","))],
         "categories": [{"id": 1, "name": "thing"}]}
        """)
    }

    func example(_ report: ConvertReport, _ kind: ProblemKind, containing text: String) -> Bool {
        report.problems.examples[kind.rawValue]?.contains { $0.contains(text) } ?? false
    }

    func testZeroNegativeAndHugeJSONSizesAreCountedNotTrapped() throws {
        try fixture.write("good.jpg", try ImageFixtures.bytes("grey_16x16.jpg"))
        let annotations = try dataset([
            #"{"id": 1, "width": 16, "height": 16, "file_name": "good.jpg"}"#,
            #"{"id": 2, "width": 0, "height": 0, "file_name": "good.jpg"}"#,
            #"{"id": 3, "width": -16, "height": 16, "file_name": "good.jpg"}"#,
            #"{"id": 4, "width": 20000, "height": 20000, "file_name": "good.jpg"}"#,
            #"{"id": 5, "width": 4611686018427387904, "height": 4, "file_name": "good.jpg"}"#,
        ], annotate: [1, 2, 3, 4, 5])
        let report = try fixture.convert(annotations, out: fixture.root + "/out", maxSize: (8, 8))
        XCTAssertEqual(report.counts.images, 1)
        XCTAssertEqual(report.counts.instances, 1)
        XCTAssertEqual(report.problems.count(.badImageSize), 2)
        XCTAssertEqual(report.problems.count(.imageTooLarge), 2)
        XCTAssertEqual(report.problems.total, 4, "the refused images' annotations are not counted again: \(report.problems.lines)")
        XCTAssertTrue(example(report, .badImageSize, containing: "image id 2: width 0, height 0 in the json"), "\(report.problems.lines)")
        XCTAssertTrue(example(report, .badImageSize, containing: "image id 3: width -16"), "\(report.problems.lines)")
        XCTAssertTrue(example(report, .badImageSize, containing: "left out with it"), "\(report.problems.lines)")
        XCTAssertTrue(example(report, .imageTooLarge, containing: "image id 4: 20000x20000 = 400000000 pixels in the json, over --max-pixels 1638400; raise --max-pixels"),
                      "\(report.problems.lines)")
        XCTAssertTrue(example(report, .imageTooLarge, containing: "image id 5: 4611686018427387904x4 = more than"), "\(report.problems.lines)")
        // Refused in the plan, so every job-array piece agrees and the plan file records them.
        let planFile = try decodeJSON(PrepPlanFile.self, path: fixture.root + "/out/" + PrepPlanFile.fileName, hint: "")
        XCTAssertEqual(planFile.imageCount, 1)
        XCTAssertEqual(planFile.annotationProblems.count(.imageTooLarge), 2)
    }

    func testMaxPixelsIsTheLimitAndTheDefaultIsLVISsLargestImageTimesFour() throws {
        XCTAssertEqual(ImageLimits.defaultMaxPixels, 1_638_400)
        XCTAssertEqual(ImageLimits().maxPixels, 640 * 640 * 4)
        try fixture.write("a.jpg", JPEGCodec.encode(PrepFixture.rectangleImage(width: 64, height: 48, x: 1, y: 1, w: 8, h: 8)))
        let annotations = try dataset([#"{"id": 1, "width": 64, "height": 48, "file_name": "a.jpg"}"#], annotate: [1])
        let under = try fixture.convert(annotations, out: fixture.root + "/under", limits: ImageLimits(maxPixels: 64 * 48 - 1))
        XCTAssertEqual(under.counts.images, 0)
        XCTAssertEqual(under.problems.count(.imageTooLarge), 1)
        let exact = try fixture.convert(annotations, out: fixture.root + "/exact", limits: ImageLimits(maxPixels: 64 * 48))
        XCTAssertEqual(exact.counts.images, 1)
        XCTAssertTrue(exact.problems.isEmpty, "\(exact.problems.lines)")
    }

    /// A file larger than any image of --max-pixels can be is refused from its size (a sparse
    /// file here: nothing is written or read).
    func testAFileLargerThanAnyImageOfMaxPixelsIsNotRead() throws {
        let limits = ImageLimits(maxPixels: 64 * 48)
        let path = fixture.images + "/huge.jpg"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data([0xFF, 0xD8])))
        XCTAssertEqual(truncate(path, off_t(limits.maxFileBytes + 1)), 0)
        let annotations = try dataset([#"{"id": 1, "width": 64, "height": 48, "file_name": "huge.jpg"}"#], annotate: [1])
        let report = try fixture.convert(annotations, out: fixture.root + "/out", limits: limits)
        XCTAssertEqual(report.problems.count(.imageTooLarge), 1)
        XCTAssertTrue(example(report, .imageTooLarge, containing: "image id 1: \(path): the file is \(limits.maxFileBytes + 1) bytes"),
                      "\(report.problems.lines)")
    }

    /// The issue's 809-byte JPEG claiming 20000 x 20000 and the PNG claiming 16384 x 16384,
    /// with the json saying 64 x 48: refused from the header, kept or resized alike.
    func testHeaderSizeDifferentFromTheJSONIsRefusedBeforeDecoding() throws {
        for name in ["header_20000x20000.jpg", "header_65500x65500.jpg", "header_16384x16384.png"] {
            try fixture.write(name, try ImageFixtures.bytes(name))
        }
        let annotations = try dataset([
            #"{"id": 1, "width": 64, "height": 48, "file_name": "header_20000x20000.jpg"}"#,
            #"{"id": 2, "width": 64, "height": 48, "file_name": "header_65500x65500.jpg"}"#,
            #"{"id": 3, "width": 64, "height": 48, "file_name": "header_16384x16384.png"}"#,
        ], annotate: [])
        for (label, maxSize) in [("kept", nil), ("resized", (16, 16))] as [(String, (Int, Int)?)] {
            let report = try fixture.convert(annotations, out: fixture.root + "/" + label, maxSize: maxSize)
            XCTAssertEqual(report.problems.count(.imageSizeMismatch), 3, "\(label): \(report.problems.lines)")
            XCTAssertTrue(example(report, .imageSizeMismatch, containing: "image id 1: \(fixture.images)/header_20000x20000.jpg: file is 20000x20000, json says 64x48; fix the json"),
                          "\(label): \(report.problems.lines)")
            XCTAssertTrue(example(report, .imageSizeMismatch, containing: "file is 16384x16384"), "\(label): \(report.problems.lines)")
        }
    }

    /// 2-component JPEGs are refused at convert time (libjpeg cannot make RGB of them); grey
    /// ones are stored as they are and decode to RGB the way fit reads shards.
    func testTwoComponentJPEGIsRefusedAndGreyJPEGIsStoredDecodable() throws {
        try fixture.write("two.jpg", try ImageFixtures.bytes("two_components_16x16.jpg"))
        let grey = try ImageFixtures.bytes("grey_16x16.jpg")
        try fixture.write("grey.jpg", grey)
        let annotations = try dataset([
            #"{"id": 1, "width": 16, "height": 16, "file_name": "two.jpg"}"#,
            #"{"id": 2, "width": 16, "height": 16, "file_name": "grey.jpg"}"#,
        ], annotate: [2])
        for (label, maxSize) in [("kept", nil), ("resized", (8, 8))] as [(String, (Int, Int)?)] {
            let out = fixture.root + "/" + label
            let report = try fixture.convert(annotations, out: out, maxSize: maxSize)
            XCTAssertEqual(report.problems.count(.unsupportedJPEG), 1, "\(label): \(report.problems.lines)")
            XCTAssertTrue(example(report, .unsupportedJPEG, containing: "image id 1: \(fixture.images)/two.jpg: a 2-component JPEG"),
                          "\(label): \(report.problems.lines)")
            let shards = try ShardDataset(directory: out)
            XCTAssertEqual(shards.count, 1)
            let (image, record) = try shards.example(at: 0)
            XCTAssertEqual(record.imageID, ImageID(2))
            XCTAssertEqual(image.width, maxSize?.0 ?? 16)
            if maxSize == nil { XCTAssertEqual(record.imageBytes, grey, "a grey JPEG of the right size is stored as it is") }
        }
    }

    /// Whatever convert stores, fit's reader decodes: every record of a run over all kinds of
    /// images (grey, progressive, PNG, 2-component, claimed sizes) comes back as RGB.
    func testEveryStoredImageDecodesAsFitReadsIt() throws {
        let names = ["grey_16x16.jpg", "two_components_16x16.jpg", "progressive_64x48.jpg", "header_20000x20000.jpg", "header_16384x16384.png"]
        for name in names { try fixture.write(name, try ImageFixtures.bytes(name)) }
        try fixture.write("grey.png", TestPNG.make(width: 4, height: 2, bitDepth: 8, colorType: 0, rows: [[1, 2, 3, 4], [5, 6, 7, 8]]))
        let sizes = [(16, 16), (16, 16), (64, 48), (16, 16), (16, 16), (4, 2)]
        let images = zip(names + ["grey.png"], sizes).enumerated().map { index, entry in
            #"{"id": \#(index + 1), "width": \#(entry.1.0), "height": \#(entry.1.1), "file_name": "\#(entry.0)"}"#
        }
        let annotations = try dataset(images, annotate: [])
        for (label, maxSize) in [("kept", nil), ("resized", (3, 3))] as [(String, (Int, Int)?)] {
            let out = fixture.root + "/" + label
            let report = try fixture.convert(annotations, out: out, maxSize: maxSize)
            XCTAssertEqual(report.counts.images, 3, "\(label): \(report.problems.lines)")
            let shards = try ShardDataset(directory: out)
            for index in 0..<shards.count {
                let (image, record) = try shards.example(at: index)
                XCTAssertEqual(image.width, record.storedWidth, label)
                XCTAssertEqual(image.pixels.count, record.storedWidth * record.storedHeight * 3, label)
            }
        }
    }

    func testAJSONWithoutCategoriesIsRefusedBeforeAnythingIsWritten() throws {
        try fixture.write("a.jpg", try ImageFixtures.bytes("grey_16x16.jpg"))
        let annotations = try fixture.writeJSON("""
        {"images": [{"id": 1, "width": 16, "height": 16, "file_name": "a.jpg"}], "annotations": [], "categories": []}
        """)
        let out = fixture.root + "/out"
        XCTAssertThrowsError(try fixture.convert(annotations, out: out)) { error in
            let failure = error as? ToolError
            XCTAssertEqual(failure?.exitCode, .dataError)
            XCTAssertEqual(failure?.file, annotations)
            XCTAssertEqual(failure?.record, "categories")
            XCTAssertTrue(failure?.message.contains("no categories") ?? false, "\(error)")
            XCTAssertNotNil(failure?.hint)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
