// safetensors files made by an attacker or a careless user: every field of the header
// (length, JSON, names, dtype, shape, data_offsets) wrong in each way we know, a directory,
// a device and a FIFO given as the file, and byte-level damage everywhere. Each gives a
// ToolError naming the file and the tensor; nothing traps, blocks, or allocates by a number
// it read.
import XCTest
import Foundation
import SharedSupport
@testable import SharedNN

final class SafetensorsHostileTests: XCTestCase {
    /// 8-byte little-endian length + `header` + `data`.
    func file(header: String, data: [UInt8] = []) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + Array(header.utf8) + data
    }

    /// The ToolError `parse` throws for `bytes` (fails the test on success or another error).
    func refusal(_ bytes: [UInt8], _ label: String, file: StaticString = #filePath, line: UInt = #line) -> ToolError? {
        do {
            _ = try bytes.withUnsafeBytes { try SafetensorsFile.parse($0) }
            XCTFail("\(label): accepted", file: file, line: line)
        } catch let error as ToolError {
            XCTAssertEqual(error.exitCode, .dataError, "\(label): \(error)", file: file, line: line)
            return error
        } catch {
            XCTFail("\(label): \(error)", file: file, line: line)
        }
        return nil
    }

    func testEveryHeaderFieldIsCheckedAndNamed() {
        let x16 = [UInt8](repeating: 0, count: 16)
        // (header, data, words the message must hold, the record it must name)
        let cases: [(String, [UInt8], String, String?)] = [
            (#"{"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}}"#, x16, "too large", "tensor x"),
            (#"{"x":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,16]}}"#, x16, "too large", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,0]}}"#, [], "too large", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}"#, x16, "not a non-negative integer", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,16]}}"#, x16, "not an integer", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":[1e30],"data_offsets":[0,16]}}"#, x16, "not an integer", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":["4"],"data_offsets":[0,16]}}"#, x16, "not a list of integers", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":4,"data_offsets":[0,16]}}"#, x16, "not a list of integers", "tensor x"),
            (#"{"x":{"dtype":"Q7","shape":[4],"data_offsets":[0,16]}}"#, x16, "unsupported dtype Q7", "tensor x"),
            (#"{"x":{"dtype":7,"shape":[4],"data_offsets":[0,16]}}"#, x16, "dtype is not a string", "tensor x"),
            (#"{"x":{"shape":[4],"data_offsets":[0,16]}}"#, x16, "needs dtype", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16,32]}}"#, x16, "needs dtype", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[16,0]}}"#, x16, "do not match", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,9223372036854775807]}}"#, x16, "do not match", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,18446744073709551616]}}"#, x16, "not an integer", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[16,32]}}"#, x16 + x16, "leaves a hole", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"y":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#,
             x16, "overlaps", "tensor y"),
            (#"{"x":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}"#, x16, "truncated", "tensor x"),
            (#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#,
             x16, "twice", "tensor x"),
            (#"{"x":{"dtype":"F32","dtype":"F64","shape":[4],"data_offsets":[0,16]}}"#, x16, "given twice", "tensor x"),
            (#"{"x":[1,2]}"#, x16, "needs dtype", "tensor x"),
            (#"{"__metadata__":{"a":1}}"#, [], "not a string", "__metadata__.a"),
            (#"{"__metadata__":[1]}"#, [], "not a JSON object", "header"),
            (#"{"__metadata__":{"a":"1","a":"2"}}"#, [], "twice", "__metadata__.a"),
            (#"[1, 2]"#, [], "not a JSON object", "header"),
            (#"{"x":{"dtype":"F32","shape":[4],"#, x16, "not valid JSON", nil),
            (#"{"x" 1}"#, [], "not valid JSON", nil),
            (#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}} trailing"#, x16, "not valid JSON", nil),
            (#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, x16 + [1, 2, 3], "trailing", nil),
        ]
        for (header, data, words, record) in cases {
            guard let error = refusal(file(header: header, data: data), header) else { continue }
            XCTAssertTrue(error.message.contains(words), "\(header): \(error)")
            if let record { XCTAssertEqual(error.record, record, "\(header): \(error)") }
        }
    }

    func testHeaderLengthIsBoundedByTheFileAndTheLimit() throws {
        // Announces 2^64 - 1 bytes: refused from the 8 bytes alone.
        let huge = [UInt8](repeating: 0xFF, count: 8) + Array("{}".utf8)
        XCTAssertTrue(refusal(huge, "huge length")?.message.contains("announce a header of 18446744073709551615 bytes") ?? false)
        XCTAssertTrue(refusal([1, 2, 3], "3 bytes")?.message.contains("truncated") ?? false)
        XCTAssertTrue(refusal([], "empty")?.message.contains("truncated") ?? false)
        // A sparse file just over the 100 MB header limit: refused without reading the header.
        let path = NSTemporaryDirectory() + "safetensors-bigheader-\(getpid()).safetensors"
        defer { unlink(path) }
        let length = SafetensorsLimits.maxHeaderBytes + 8
        var prefix: [UInt8] = []
        withUnsafeBytes(of: length.littleEndian) { prefix.append(contentsOf: $0) }
        try writeFileAtomically(path, bytes: prefix)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 8 + length)
        try handle.close()
        XCTAssertThrowsError(try SafetensorsFile.read(from: path)) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.file, path)
            XCTAssertTrue(toolError?.message.contains("more than the 100000000") ?? false, "\(error)")
        }
    }

    func testADirectoryADeviceAndAFIFOAreRefusedWithoutReading() throws {
        let folder = NSTemporaryDirectory() + "safetensors-dir-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fifo = folder + "/pipe.safetensors"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let start = Date()
        for (path, phrase) in [(folder, "is a directory"), ("/dev/zero", "is a device"), (fifo, "is a pipe (FIFO)")] {
            XCTAssertThrowsError(try SafetensorsFile.read(from: path)) { error in
                let toolError = error as? ToolError
                XCTAssertEqual(toolError?.file, path)
                XCTAssertEqual(toolError?.exitCode, .ioError)
                XCTAssertTrue(toolError?.message.contains(phrase) ?? false, "\(error)")
                XCTAssertNotNil(toolError?.hint)
            }
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "opening a FIFO without a writer must not block")
    }

    func testDataThatCannotFitInMemoryIsRefusedBeforeAllocating() {
        XCTAssertThrowsError(try SafetensorsFile.requireMemory(forDataBytes: 1 << 62)) { error in
            XCTAssertTrue((error as? ToolError)?.message.contains("do not fit") ?? false, "\(error)")
        }
        XCTAssertNoThrow(try SafetensorsFile.requireMemory(forDataBytes: 1 << 20))
    }

    /// Every truncation and many single-byte changes of a valid file: a ToolError or a
    /// valid file, never a trap.
    func testTruncationsAndFlippedBytesNeverTrap() {
        var good = SafetensorsFile(metadata: ["format": "test"])
        good.set("a", SafetensorsTensor(float32: [1, 2, 3], shape: [3]))
        good.set("b", SafetensorsTensor(int64: [7, -8], shape: [1, 2]))
        good.set("c", SafetensorsTensor(float32: [], shape: [0, 5]))
        let bytes = good.serialized()
        var refused = 0
        for length in 0..<bytes.count {
            if (try? Array(bytes.prefix(length)).withUnsafeBytes { try SafetensorsFile.parse($0) }) == nil { refused += 1 }
        }
        XCTAssertEqual(refused, bytes.count, "every truncation is refused")
        var random = SeededRandom(seed: 11)
        let replacements: [UInt8] = [0, 0xFF, UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "\""), UInt8(ascii: "]"), 0x80]
        for _ in 0..<3000 {
            var damaged = bytes
            let position = random.nextInt(below: damaged.count)
            damaged[position] = replacements[random.nextInt(below: replacements.count)]
            do {
                _ = try damaged.withUnsafeBytes { try SafetensorsFile.parse($0) }
            } catch let error as ToolError {
                XCTAssertEqual(error.exitCode, .dataError, "\(error)")
            } catch {
                XCTFail("\(error)")
            }
        }
    }

    func testDeeplyNestedUnknownFieldsAreSkippedWithoutRecursion() throws {
        let nested = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        let header = #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":"# + nested + "}}"
        let read = try file(header: header, data: [0, 0, 128, 63]).withUnsafeBytes { try SafetensorsFile.parse($0) }
        XCTAssertEqual(read["x"]?.floatValues(), [1])
    }
}
