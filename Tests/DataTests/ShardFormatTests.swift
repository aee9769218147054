// The shard format: write -> read round trip, random access and scan, CRC32 against a bitwise
// reference, a flipped byte refused with the regenerate hint, an interrupted write invisible.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class ShardFormatTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "shard-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try makeDirectory(directory)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func sampleRecords() -> [ShardRecord] {
        let image = RGBImage(width: 4, height: 3, fill: RGBColor(hex: 0x336699))
        return [
            ShardRecord(imageID: ImageID(7), fileName: "train2017/000000000007.jpg", originalWidth: 640, originalHeight: 480,
                        storedWidth: 4, storedHeight: 3, encoding: .jpeg, imageBytes: JPEGCodec.encode(image),
                        instances: [
                            ShardInstance(annotationID: AnnotationID(1), classIndex: ClassIndex(3), isCrowd: false,
                                          box: BoxXYXY(x1: 0.5, y1: 1, x2: 3, y2: 2.25),
                                          segmentation: .polygons([[0.5, 1, 3, 1, 3, 2.25], [1, 1, 2, 1, 2, 2, 1, 2]])),
                            ShardInstance(annotationID: AnnotationID(2), classIndex: ClassIndex(0), isCrowd: true,
                                          box: BoxXYXY(x1: 0, y1: 0, x2: 4, y2: 3),
                                          segmentation: .uncompressedRLE(height: 480, width: 640, counts: [5, 10, 307185])),
                        ], negativeClasses: [ClassIndex(9)], notExhaustiveClasses: [ClassIndex(3)]),
            ShardRecord(imageID: ImageID(8), fileName: "b.png", originalWidth: 4, originalHeight: 3, storedWidth: 4, storedHeight: 3,
                        encoding: .rawRGB, imageBytes: image.pixels, instances: []),
            ShardRecord(imageID: ImageID(9), fileName: "c.jpg", originalWidth: 8, originalHeight: 6, storedWidth: 4, storedHeight: 3,
                        encoding: .rawRGB, imageBytes: image.pixels,
                        instances: [ShardInstance(annotationID: AnnotationID(3), classIndex: ClassIndex(1), isCrowd: true,
                                                  box: BoxXYXY(x1: 1, y1: 1, x2: 2, y2: 2),
                                                  segmentation: .compressedRLE(height: 6, width: 8, counts: Array("52203".utf8))),
                                    ShardInstance(annotationID: AnnotationID(4), classIndex: ClassIndex(1), isCrowd: false,
                                                  box: BoxXYXY(x1: 1, y1: 1, x2: 2, y2: 2), segmentation: .none)]),
        ]
    }

    func writeSample(_ name: String = "shard-00000.bin") throws -> (String, ShardFileSummary) {
        let path = directory + "/" + name
        let writer = try ShardWriter(path: path)
        for record in Self.sampleRecords() { try writer.append(record) }
        return (path, try writer.finish())
    }

    func testRoundTripRandomAccessAndScan() throws {
        let (path, summary) = try writeSample()
        let reader = try ShardReader(path: path)
        XCTAssertEqual(reader.count, 3)
        XCTAssertEqual(summary.records, 3)
        XCTAssertEqual(summary.bytes, reader.byteCount)
        XCTAssertEqual(summary.crc32, reader.fileChecksum())
        let records = Self.sampleRecords()
        XCTAssertEqual(try reader.record(at: 2), records[2])
        XCTAssertEqual(try reader.record(at: 0), records[0])
        var scanned: [ShardRecord] = []
        try reader.forEach { index, record in
            XCTAssertEqual(index, scanned.count)
            scanned.append(record)
        }
        XCTAssertEqual(scanned, records)
        XCTAssertEqual(try reader.record(at: 1).decodeImage(), RGBImage(width: 4, height: 3, fill: RGBColor(hex: 0x336699)))
        XCTAssertEqual(try reader.record(at: 0).decodeImage().width, 4)
    }

    func testCRC32MatchesBitwiseReference() {
        var random = SeededGenerator(seed: 5)
        let bytes = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &random) }
        XCTAssertEqual(crc32Checksum(bytes), TestPNG.crc32(bytes))
        XCTAssertEqual(crc32Checksum(Array("123456789".utf8)), 0xCBF4_3926)
    }

    func testFlippedByteIsRefusedWithHint() throws {
        let (path, _) = try writeSample()
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        // A byte inside record 1's payload (after the header, record 0 and record 1's prefix).
        let reader = try ShardReader(path: path)
        let record0Size = try reader.withPayload(at: 0) { $0.count }
        let target = ShardFormat.headerSize + ShardFormat.recordPrefixSize + record0Size + ShardFormat.recordPrefixSize + 5
        bytes[target] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let damaged = try ShardReader(path: path)
        XCTAssertNoThrow(try damaged.record(at: 0))
        XCTAssertThrowsError(try damaged.record(at: 1)) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.record, "record 1")
            XCTAssertTrue(toolError?.message.contains("checksum mismatch") ?? false, "\(error)")
            XCTAssertTrue(toolError?.hint?.contains("lvis-prep convert") ?? false)
        }
        XCTAssertThrowsError(try damaged.verify())
    }

    func testFlippedIndexOrHeaderByteIsRefusedAtOpen() throws {
        let (path, _) = try writeSample()
        let original = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        for position in [9, original.count - ShardFormat.trailerSize - 3, original.count - 20] {
            var bytes = original
            bytes[position] ^= 0x40
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try ShardReader(path: path), "flip at \(position)")
        }
    }

    func testTruncatedFileLooksIncomplete() throws {
        let (path, _) = try writeSample()
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        try Data(bytes[0..<(bytes.count - 10)]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ShardReader(path: path)) { error in
            XCTAssertTrue("\(error)".contains("incomplete"), "\(error)")
        }
    }

    func testUnfinishedWriterLeavesNoFile() throws {
        let path = directory + "/shard-00001.bin"
        do {
            let writer = try ShardWriter(path: path)
            try writer.append(Self.sampleRecords()[1])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
    }

    func testEmptyShardIsValid() throws {
        let path = directory + "/shard-00002.bin"
        let summary = try ShardWriter(path: path).finish()
        XCTAssertEqual(summary.records, 0)
        XCTAssertEqual(try ShardReader(path: path).count, 0)
    }
}
