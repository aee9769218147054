// Hostile shard structure (issue "Hostile input"): any flipped bit of the header, index or
// trailer, an index entry or index offset >= 2^63 behind valid CRCs, a record count that
// overflows, a version-1 file, and a FIFO or folder in place of a shard are all refused when
// the shard is opened, with the file named: never a trap, never a hang.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class ShardStructureTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "shard-structure-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try makeDirectory(directory)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    /// A valid 3-record shard; returns its path and bytes.
    func sample() throws -> (String, [UInt8]) {
        let path = directory + "/shard-00000.bin"
        try ShardTampering.writeShard((1...3).map { ShardTampering.record(id: $0) }, to: path)
        return (path, try ShardTampering.bytes(path))
    }

    /// Opening `bytes` (written to the shard path) throws a ToolError naming the file; returns it.
    func refusal(_ bytes: [UInt8], _ label: String, file: StaticString = #filePath, line: UInt = #line) throws -> ToolError? {
        let path = directory + "/shard-00000.bin"
        try ShardTampering.write(bytes, to: path)
        var thrown: ToolError?
        XCTAssertThrowsError(try ShardReader(path: path), label, file: file, line: line) { thrown = $0 as? ToolError }
        XCTAssertEqual(thrown?.file, path, label, file: file, line: line)
        XCTAssertNotNil(thrown?.hint, label, file: file, line: line)
        XCTAssertEqual(thrown?.exitCode, .dataError, label, file: file, line: line)
        return thrown
    }

    func testEveryBitFlipOfHeaderIndexOrTrailerIsRefusedAtOpen() throws {
        let (_, original) = try sample()
        let (indexOffset, _) = ShardTampering.trailer(original)
        let positions = Array(0..<ShardFormat.headerSize) + Array(indexOffset..<original.count)
        for position in positions {
            for bit in 0..<8 {
                var bytes = original
                bytes[position] ^= UInt8(1 << bit)
                _ = try refusal(bytes, "bit \(bit) of byte \(position)")
            }
        }
    }

    func testTrailerFlipsAreCaughtByTheTrailerChecksum() throws {
        let (_, original) = try sample()
        let trailerStart = original.count - ShardFormat.trailerSize
        for position in trailerStart..<(trailerStart + ShardFormat.trailerCheckedSize) {
            var bytes = original
            bytes[position] ^= 0x80
            let error = try refusal(bytes, "byte \(position)")
            XCTAssertTrue(error?.message.hasPrefix("trailer checksum mismatch") ?? false, "\(String(describing: error))")
        }
    }

    func testIndexEntriesAtOrAbove2To63BehindValidChecksumsAreRefused() throws {
        let (_, original) = try sample()
        let (indexOffset, _) = ShardTampering.trailer(original)
        for value in [UInt64(1) << 63, UInt64.max, UInt64(original.count), UInt64(indexOffset)] {
            let bytes = ShardTampering.resealed(original) { ShardTampering.put(value, into: &$0, at: indexOffset + 8) }
            let error = try refusal(bytes, "entry \(value)")
            XCTAssertTrue(error?.message.contains("index entry 1") ?? false, "\(String(describing: error))")
        }
        // Out of order, and a first entry that is not right after the header.
        let swapped = ShardTampering.resealed(original) { bytes in
            let first = ShardTampering.u64(bytes, at: indexOffset + 8), second = ShardTampering.u64(bytes, at: indexOffset + 16)
            ShardTampering.put(second, into: &bytes, at: indexOffset + 8)
            ShardTampering.put(first, into: &bytes, at: indexOffset + 16)
        }
        XCTAssertTrue(try refusal(swapped, "swapped")?.message.contains("out of order") ?? false)
        let shifted = ShardTampering.resealed(original) { ShardTampering.put(17, into: &$0, at: indexOffset) }
        XCTAssertTrue(try refusal(shifted, "first entry")?.message.contains("index entry 0") ?? false)
    }

    func testTrailerFieldsThatOverflowOrDisagreeWithTheSizeAreRefused() throws {
        let (_, original) = try sample()
        for (offset, count) in [(UInt64(1) << 63, UInt32(3)), (UInt64.max, 3), (UInt64.max - 7, 1), (16, UInt32.max), (16, 3), (0, 0)] {
            let bytes = ShardTampering.resealed(original, indexOffset: offset, count: count)
            let error = try refusal(bytes, "offset \(offset), count \(count)")
            XCTAssertTrue(error?.message.contains("do not match the file size") ?? false, "\(String(describing: error))")
        }
    }

    func testEmptyShardWithBytesBeforeTheIndexIsRefused() throws {
        let (_, original) = try sample()
        // Claim no records, the "index" right before the trailer (the records left unaccounted).
        let bytes = ShardTampering.resealed(original, indexOffset: UInt64(original.count - ShardFormat.trailerSize), count: 0)
        XCTAssertTrue(try refusal(bytes, "no records")?.message.contains("no records, yet") ?? false)
    }

    func testVersionOneShardAsksToReconvertNamingTheFile() throws {
        let (_, original) = try sample()
        let error = try refusal(ShardTampering.versionOne(original), "version 1")
        XCTAssertEqual(error?.message, "shard format version 1 (made by an older lvis-prep); this lvis-prep reads version 2")
        XCTAssertEqual(error?.hint, ShardFormat.reconvertHint)
        XCTAssertTrue(error?.hint?.hasPrefix("re-convert") ?? false)
    }

    func testVersionTwoDiffersFromVersionOneOnlyInTheVersionAndTheTrailerWord() throws {
        let (_, bytes) = try sample()
        let old = ShardTampering.versionOne(bytes)
        let trailerStart = bytes.count - ShardFormat.trailerSize
        let differing = bytes.indices.filter { bytes[$0] != old[$0] }
        XCTAssertTrue(differing.allSatisfy { (8..<12).contains($0) || (trailerStart + 16..<trailerStart + 24).contains($0) }, "\(differing)")
        XCTAssertEqual(bytes[8], 2)
    }

    func testAFolderOrAFIFOInPlaceOfAShardIsRefusedWithoutBlocking() throws {
        let folder = directory + "/folder.bin"
        try makeDirectory(folder)
        XCTAssertThrowsError(try ShardReader(path: folder)) { XCTAssertTrue("\($0)".contains("not a regular file"), "\($0)") }
        let fifo = directory + "/fifo.bin"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try ShardReader(path: fifo)) { XCTAssertTrue("\($0)".contains("not a regular file"), "\($0)") }
    }

    func testRecordLengthThatDisagreesWithTheIndexIsRefusedOnRead() throws {
        let (path, original) = try sample()
        var bytes = original
        ShardTampering.put(1 << 31, into: &bytes, at: ShardFormat.headerSize, width: 4)
        try ShardTampering.write(bytes, to: path)
        let reader = try ShardReader(path: path)
        XCTAssertThrowsError(try reader.record(at: 0)) { error in
            XCTAssertEqual((error as? ToolError)?.record, "record 0")
            XCTAssertTrue("\(error)".contains("does not match the index"), "\(error)")
        }
        XCTAssertNoThrow(try reader.record(at: 1))
    }
}
