// safetensors: we read files written by Python's safetensors (every dtype, metadata, a
// scalar, an empty tensor), round-trip our own, and reject damaged files with ToolErrors.
import XCTest
import SharedSupport
@testable import SharedNN

final class SafetensorsTests: XCTestCase {
    func testReadsFileWrittenByPython() throws {
        let f = try loadFixture("interop.safetensors")
        XCTAssertEqual(f.metadata["format"], "python")
        XCTAssertEqual(f.metadata["config"], #"{"lr": 0.02, "name": "tiny \"quoted\""}"#)
        XCTAssertEqual(f["float32"]?.shape, [2, 3])
        XCTAssertEqual(f["float32"]?.floatValues(), [1.5, -2.25, 3.0, 0.0, 1e-8, -7e5])
        XCTAssertEqual(f["float64"]?.floatValues(), [Float(Double.pi), -1])
        XCTAssertEqual(f["float16"]?.floatValues(), [0.5, -3, 65504])
        XCTAssertEqual(f["bfloat16"]?.floatValues(), [1, -2.5])
        XCTAssertEqual(f["int64"]?.int64Values(), [-3, 0, 1 << 40])
        XCTAssertEqual(f["int32"]?.int64Values(), [7, -8])
        XCTAssertEqual(f["uint8"]?.int64Values(), [0, 255, 17])
        XCTAssertEqual(f["scalar"]?.shape, [])
        XCTAssertEqual(f["scalar"]?.floatValues(), [2])
        XCTAssertEqual(f["empty"]?.shape, [0, 3])
        XCTAssertEqual(f["empty"]?.elementCount, 0)
    }

    func testRoundTripKeepsOrderValuesAndMetadata() throws {
        var file = SafetensorsFile(metadata: ["config": "{\"a\": [1, 2]}\n\t\u{1}é", "step": "3"])
        file.set("b.weight", SafetensorsTensor(float32: [1, -0, .infinity, 3.25], shape: [2, 2]))
        file.set("a.rng", SafetensorsTensor(uint64: [UInt64.max, 1, 2, 3], shape: [4]))
        file.set("c.empty", SafetensorsTensor(float32: [], shape: [0]))
        let path = NSTemporaryDirectory() + "nntraining-roundtrip-\(getpid()).safetensors"
        defer { unlink(path) }
        try file.write(to: path)
        var back = try SafetensorsFile.read(from: path)
        XCTAssertNotNil(back.metadata.removeValue(forKey: SafetensorsFile.dataChecksumKey), "our files carry their data's CRC-32")
        XCTAssertEqual(back, file)
        XCTAssertEqual(back["a.rng"]?.int64Values().map { UInt64(bitPattern: $0) }, [UInt64.max, 1, 2, 3])
        // Header length is a multiple of 8 and the bytes equal the in-memory serialisation.
        let bytes = file.serialized()
        XCTAssertEqual(bytes.count, Int(try fileSize(path)))
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(headerLength % 8, 0)
        XCTAssertEqual(bytes[8], UInt8(ascii: "{"))
    }

    func testRejectsTruncatedAndInconsistentFilesWithClearErrors() throws {
        var file = SafetensorsFile()
        file.set("x", SafetensorsTensor(float32: [1, 2, 3, 4], shape: [4]))
        let good = file.serialized()
        func parseError(_ bytes: [UInt8]) -> ToolError? {
            do {
                _ = try bytes.withUnsafeBytes { try SafetensorsFile.parse($0) }
                return nil
            } catch let error as ToolError {
                return error
            } catch {
                return nil
            }
        }
        XCTAssertTrue(parseError(Array(good.prefix(5)))?.message.contains("truncated") ?? false)
        XCTAssertTrue(parseError(Array(good.prefix(20)))?.message.contains("truncated") ?? false)
        XCTAssertTrue(parseError(Array(good.dropLast(3)))?.message.contains("truncated") ?? false)
        XCTAssertTrue(parseError(good + [0, 0, 0, 0])?.message.contains("trailing") ?? false)
        let header = String(decoding: good[8..<(good.count - 16)], as: UTF8.self)
        func withHeader(_ text: String) -> [UInt8] {
            var bytes: [UInt8] = []
            withUnsafeBytes(of: UInt64(text.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            return bytes + Array(text.utf8) + good.suffix(16)
        }
        XCTAssertNil(parseError(withHeader(header)), "rebuilt file is valid")
        XCTAssertTrue(parseError(withHeader(header.replacingOccurrences(of: "F32", with: "Q7")))?.message.contains("unsupported dtype") ?? false)
        XCTAssertTrue(parseError(withHeader(header.replacingOccurrences(of: "[4]", with: "[5]")))?.message.contains("do not match") ?? false)
        XCTAssertTrue(parseError(withHeader("[1, 2]"))?.message.contains("not a JSON object") ?? false)
        // Reading from disk names the file and says what to do.
        let path = NSTemporaryDirectory() + "nntraining-truncated-\(getpid()).safetensors"
        defer { unlink(path) }
        try writeFileAtomically(path, bytes: Array(good.dropLast(1)))
        XCTAssertThrowsError(try SafetensorsFile.read(from: path)) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.file, path)
            XCTAssertNotNil(toolError?.hint)
            XCTAssertEqual(toolError?.exitCode, .dataError)
        }
        XCTAssertThrowsError(try SafetensorsFile.read(from: path + ".missing")) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .ioError)
        }
    }

    /// A flipped byte in the data section is caught by the data_crc32 our writer records; a
    /// file without the record (Python's) is read unchecked.
    func testDataChecksumCatchesAFlippedByte() throws {
        var file = SafetensorsFile(metadata: ["step": "1"])
        file.set("x", SafetensorsTensor(float32: [1, 2, 3, 4], shape: [4]))
        var bytes = file.serialized()
        XCTAssertNoThrow(try bytes.withUnsafeBytes { try SafetensorsFile.parse($0) })
        bytes[bytes.count - 3] ^= 0x10
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try SafetensorsFile.parse($0) }) { error in
            XCTAssertTrue((error as? ToolError)?.message.contains("does not match its checksum") ?? false, "\(error)")
        }
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        let unchecked = header.replacingOccurrences(of: SafetensorsFile.dataChecksumKey, with: "other_key_")  // same length
        XCTAssertNotEqual(unchecked, header)
        let withoutRecord = Array(bytes[0..<8]) + Array(unchecked.utf8) + Array(bytes[(8 + headerLength)...])
        let read = try withoutRecord.withUnsafeBytes { try SafetensorsFile.parse($0) }
        XCTAssertNotEqual(read["x"]?.floatValues(), [1, 2, 3, 4], "read unchecked, flipped byte and all")
    }

    private func fileSize(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
    }
}
