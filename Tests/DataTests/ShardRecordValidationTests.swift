// Crafted records with valid CRCs (issue "Hostile input"): every field the reader hands on is
// checked, and a bad one is refused naming the file, the record and its image id, with the
// regenerate hint: class indices past the category table, non-finite or impossible boxes and
// polygons, sizes, pixel byte counts, crowd flags, RLE sizes, a JPEG of another size.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class ShardRecordValidationTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "shard-records-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try makeDirectory(directory)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes a valid record then `edit`ed copy (record 1, image id 2) and expects reading
    /// record 1 with 3 categories to fail with a message containing `expected`.
    func assertRefused(_ expected: String, file: StaticString = #filePath, line: UInt = #line, _ edit: (inout ShardRecord) -> Void) throws {
        let path = directory + "/shard-00000.bin"
        var crafted = ShardTampering.record(id: 2)
        edit(&crafted)
        try ShardTampering.writeShard([ShardTampering.record(id: 1), crafted], to: path)
        let reader = try ShardReader(path: path, categoryCount: 3)
        XCTAssertNoThrow(try reader.record(at: 0), file: file, line: line)
        XCTAssertThrowsError(try reader.record(at: 1), file: file, line: line) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.file, path, file: file, line: line)
            XCTAssertEqual(toolError?.record, "record 1 (image id 2)", file: file, line: line)
            XCTAssertTrue(toolError?.message.contains(expected) ?? false, "\(error)", file: file, line: line)
            XCTAssertEqual(toolError?.hint, ShardFormat.regenerateHint, file: file, line: line)
            XCTAssertEqual(toolError?.exitCode, .dataError, file: file, line: line)
        }
        XCTAssertThrowsError(try reader.verify(), file: file, line: line)
    }

    func setBox(_ record: inout ShardRecord, _ box: BoxXYXY) { record.instances[0].box = box }

    func testClassIndicesPastTheCategoryTableAreRefused() throws {
        try assertRefused("instance 0 (annotation id 20): class index 3 is outside the category table (3 categories)") {
            $0.instances[0].classIndex = ClassIndex(3)
        }
        try assertRefused("class index 4294967295 is outside") { $0.instances[0].classIndex = ClassIndex(Int(UInt32.max)) }
        try assertRefused("negative class list: class index 7") { $0.negativeClasses = [ClassIndex(1), ClassIndex(7)] }
        try assertRefused("not-exhaustive class list: class index 3") { $0.notExhaustiveClasses = [ClassIndex(3)] }
    }

    func testWithoutACategoryTableClassIndicesAreNotCheckedButEverythingElseIs() throws {
        let path = directory + "/shard-00000.bin"
        var nan = ShardTampering.record(id: 2)
        nan.instances[0].box.x1 = .nan
        try ShardTampering.writeShard([ShardTampering.record(id: 1, classIndex: 500), nan], to: path)
        let reader = try ShardReader(path: path)
        XCTAssertEqual(try reader.record(at: 0).instances[0].classIndex, ClassIndex(500))
        XCTAssertThrowsError(try reader.record(at: 1)) { XCTAssertTrue("\($0)".contains("is not finite"), "\($0)") }
    }

    func testNonFiniteInvertedOrOutsideBoxesAreRefused() throws {
        for value in [Double.nan, .infinity, -.infinity] {
            try assertRefused("is not finite") { self.setBox(&$0, BoxXYXY(x1: 1, y1: value, x2: 5, y2: 4)) }
        }
        try assertRefused("inverted or outside the 8x6 stored image") { self.setBox(&$0, BoxXYXY(x1: 5, y1: 1, x2: 1, y2: 4)) }
        try assertRefused("inverted or outside") { self.setBox(&$0, BoxXYXY(x1: -1.5, y1: 1, x2: 5, y2: 4)) }
        try assertRefused("inverted or outside") { self.setBox(&$0, BoxXYXY(x1: 1, y1: 1, x2: 5, y2: 7.5)) }
        try assertRefused("inverted or outside") { self.setBox(&$0, BoxXYXY(x1: 1, y1: 1, x2: 3e38, y2: 4)) }
    }

    func testBoxesWithinOnePixelOfTheImageAndZeroSizeBoxesAreKept() throws {
        let path = directory + "/shard-00000.bin"
        var edge = ShardTampering.record(id: 1)
        edge.instances[0].box = BoxXYXY(x1: -1, y1: -0.5, x2: 9, y2: 7)
        var flat = ShardTampering.record(id: 2)
        flat.instances[0].box = BoxXYXY(x1: 3, y1: 2, x2: 3, y2: 2)
        try ShardTampering.writeShard([edge, flat], to: path)
        XCTAssertEqual(try ShardReader(path: path, categoryCount: 1).verify(), 2)
    }

    func testBadPolygonsAreRefused() throws {
        try assertRefused("polygon 1 has 7 coordinates") { $0.instances[0].segmentation = .polygons([[1, 1, 5, 1, 5, 4], [1, 1, 2, 2, 3, 1, 4]]) }
        try assertRefused("polygon 0 has 4 coordinates") { $0.instances[0].segmentation = .polygons([[1, 1, 5, 1]]) }
        try assertRefused("polygon 0 has a coordinate that is not finite") { $0.instances[0].segmentation = .polygons([[1, .nan, 5, 1, 5, 4]]) }
        try assertRefused("not finite or beyond") { $0.instances[0].segmentation = .polygons([[1, 1, 5, 1, 5, .infinity]]) }
        try assertRefused("not finite or beyond") { $0.instances[0].segmentation = .polygons([[1, 1, 5, 1, 5, -3e7]]) }
    }

    func testPolygonsOutsideTheImageButWithinRangeAreKept() throws {
        let path = directory + "/shard-00000.bin"
        var record = ShardTampering.record(id: 1)
        record.instances[0].segmentation = .polygons([[-40, -40, 5000, 1, 5, 4]])
        try ShardTampering.writeShard([record], to: path)
        XCTAssertEqual(try ShardReader(path: path, categoryCount: 1).verify(), 1)
    }

    func testImpossibleSizesAreRefused() throws {
        try assertRefused("original width 0 is outside") { $0.originalWidth = 0 }
        try assertRefused("original height 16777217 is outside") { $0.originalHeight = (1 << 24) + 1 }
        try assertRefused("stored width 0 is outside 1...16") { $0.storedWidth = 0 }
        try assertRefused("stored height 13 is outside 1...12") { $0.storedHeight = 13 }
        try assertRefused("is over 268435456 pixels") {
            $0.originalWidth = 1 << 15; $0.originalHeight = 1 << 15; $0.storedWidth = 1 << 15; $0.storedHeight = 1 << 14
        }
    }

    func testPixelBytesThatDoNotMatchTheSizeAreRefused() throws {
        try assertRefused("raw pixels are 143 bytes, 8x6 RGB needs 144") { $0.imageBytes.removeLast() }
        try assertRefused("the stored JPEG is empty") { $0.encoding = .jpeg; $0.imageBytes = [] }
    }

    func testRLEOfAnotherSizeThanTheImageIsRefused() throws {
        try assertRefused("RLE size 16x13 is not the original image size 16x12") {
            $0.instances[0].segmentation = .uncompressedRLE(height: 13, width: 16, counts: [208])
        }
        try assertRefused("RLE size 15x12") { $0.instances[0].segmentation = .compressedRLE(height: 12, width: 15, counts: Array("PT".utf8)) }
    }

    /// Fields the decoder refuses before validation: a crowd flag other than 0/1, an unknown
    /// encoding or segmentation kind, counts that run past the payload, bytes left over.
    func testBadPayloadBytesAreRefusedByTheDecoder() throws {
        let path = directory + "/shard-00000.bin"
        var payload = ByteWriter()
        ShardTampering.record(id: 1).encode(into: &payload)
        let valid = payload.bytes
        // Offsets in the payload of record(id: 1): id 8, name 4 + 8, sizes 16, encoding 1 (byte 36),
        // pixels 4 + 144, two empty class lists 8, instance count 4, then annotation id 8, class 4, crowd (byte 217).
        let encodingByte = 8 + 4 + 8 + 16, crowdByte = encodingByte + 1 + 4 + 144 + 8 + 4 + 8 + 4, kindByte = crowdByte + 1 + 16
        XCTAssertEqual(valid[encodingByte], 1)
        XCTAssertEqual(valid[kindByte], 1)
        var cases: [(String, [UInt8])] = []
        var bytes = valid; bytes[crowdByte] = 2; cases.append(("crowd flag 2 is not 0 or 1", bytes))
        bytes = valid; bytes[encodingByte] = 9; cases.append(("unknown image encoding", bytes))
        bytes = valid; bytes[kindByte] = 4; cases.append(("unknown segmentation kind", bytes))
        bytes = valid; bytes[kindByte + 1] = 0xFF; cases.append(("ends early", bytes))
        cases.append(("1 unexpected bytes after the record", valid + [0]))
        cases.append(("ends early", Array(valid.dropLast())))
        for (expected, crafted) in cases {
            let writer = try ShardWriter(path: path)
            try writer.append(payload: crafted)
            try writer.finish()
            XCTAssertThrowsError(try ShardReader(path: path, categoryCount: 3).record(at: 0), expected) { error in
                XCTAssertEqual((error as? ToolError)?.record, "record 0", expected)
                XCTAssertTrue("\(error)".contains(expected), "\(expected): \(error)")
            }
        }
    }

    /// A JPEG whose own header gives another size than the record is refused before its
    /// pixels are allocated (a 1 KB file cannot make a reader allocate gigabytes).
    func testAJPEGOfAnotherSizeIsRefusedBeforeDecoding() throws {
        var record = ShardTampering.record(id: 1)
        record.encoding = .jpeg
        record.imageBytes = JPEGCodec.encode(RGBImage(width: 8, height: 6, fill: RGBColor(hex: 0x336699)))
        XCTAssertEqual(try record.decodeImage().width, 8)
        record.imageBytes = JPEGCodec.encode(RGBImage(width: 16, height: 6, fill: RGBColor(hex: 0x336699)))
        XCTAssertThrowsError(try record.decodeImage()) { XCTAssertTrue("\($0)".contains("stored JPEG is 16x6, record says 8x6"), "\($0)") }
        // Raw pixels: sizes whose product overflows are refused, not trapped on.
        var raw = ShardTampering.record(id: 1)
        raw.storedWidth = Int.max / 2; raw.storedHeight = 3
        XCTAssertThrowsError(try raw.decodeImage())
    }

    func testValidRecordsPassIncludingRLEAndCrowds() throws {
        let path = directory + "/shard-00000.bin"
        try ShardTampering.writeShard(ShardFormatTests.sampleRecords(), to: path)
        XCTAssertEqual(try ShardReader(path: path, categoryCount: 10).verify(), 3)
        XCTAssertThrowsError(try ShardReader(path: path, categoryCount: 9).verify()) { error in
            XCTAssertEqual((error as? ToolError)?.record, "record 0 (image id 7)")
        }
    }
}
