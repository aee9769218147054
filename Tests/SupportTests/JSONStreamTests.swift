// Streams (`-`, pipes) are bounded and checked as they arrive: a NUL byte, a document that
// does not start with `{` or `[`, endless whitespace or more than the limit are refused at
// once; a real document comes through byte for byte; devices are refused.
import XCTest
@testable import SharedSupport

final class JSONStreamTests: XCTestCase {
    /// Reads `bytes` through a pipe, as standard input would arrive, with a writer thread.
    private func readThroughPipe(_ bytes: [UInt8], limit: Int = JSONInput.streamLimit) throws -> [UInt8] {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        let writer = Thread {
            _ = bytes.withUnsafeBufferPointer { StandardStreams.writeAll(writeEnd, $0) }
            close(writeEnd)
        }
        writer.start()
        defer { close(readEnd) }
        let buffer = try JSONStreamReader(path: "-", limit: limit).readAll(descriptor: readEnd)
        defer { free(UnsafeMutableRawPointer(mutating: buffer.baseAddress)) }
        return Array(buffer)
    }

    private func refusal(_ bytes: [UInt8], limit: Int = JSONInput.streamLimit) -> ToolError? {
        do { _ = try readThroughPipe(bytes, limit: limit); return nil } catch let error as ToolError { return error } catch { return nil }
    }

    override func setUp() {
        // A refused stream closes its end early; the writer thread must get EPIPE, not a signal.
        signal(SIGPIPE, SIG_IGN)
    }

    func testADocumentComesThroughByteForByte() throws {
        let text = Array(" \n\t[{\"image_id\": 1, \"score\": 0.5}]\n".utf8)
        XCTAssertEqual(try readThroughPipe(text), text)
        let big = Array("[".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 3 << 20) + Array("]".utf8)
        XCTAssertEqual(try readThroughPipe(big), big, "grows past its first 1 MiB buffer")
        XCTAssertEqual(try readThroughPipe([]), [], "an empty stream is left to the reader to explain")
    }

    func testBinaryDataIsRefusedAtItsFirstNulByte() throws {
        let zeros = refusal([UInt8](repeating: 0, count: 4 << 20))
        XCTAssertEqual(zeros?.exitCode, .dataError)
        XCTAssertTrue(zeros?.message.contains("byte 0 is a NUL byte") ?? false, "\(String(describing: zeros))")
        XCTAssertEqual(zeros?.file, "-")
        let late = refusal(Array("[1, 2,".utf8) + [0] + Array("3]".utf8))
        XCTAssertTrue(late?.message.contains("byte 6 is a NUL byte") ?? false, "\(String(describing: late))")
    }

    func testADocumentMustStartWithAnObjectOrAnArray() throws {
        let garbage = refusal(Array("  yyyyyyyy".utf8))
        XCTAssertEqual(garbage?.record, "byte 2")
        XCTAssertTrue(garbage?.message.contains("found 'y'") ?? false, "\(String(describing: garbage))")
        let bom = refusal([0xEF, 0xBB, 0xBF] + Array("{}".utf8))
        XCTAssertTrue(bom?.message.contains("byte order mark") ?? false, "\(String(describing: bom))")
        let control = refusal([0x01, 0x02])
        XCTAssertTrue(control?.message.contains("found byte 0x1") ?? false, "\(String(describing: control))")
    }

    func testEndlessWhitespaceAndOversizedStreamsAreRefused() throws {
        let blank = refusal([UInt8](repeating: UInt8(ascii: "\n"), count: (1 << 20) + 10))
        XCTAssertTrue(blank?.message.contains("more than 1 MiB of whitespace") ?? false, "\(String(describing: blank))")
        let document = Array("[".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 5000) + Array("]".utf8)
        let large = refusal(document, limit: 4096)
        XCTAssertTrue(large?.message.contains("more than 4096 bytes on a stream") ?? false, "\(String(describing: large))")
        XCTAssertNotNil(large?.hint)
        XCTAssertEqual(try readThroughPipe(document, limit: document.count), document, "exactly the limit is allowed")
        XCTAssertEqual(JSONStreamReader.describe(16 << 30), "16 GiB")
    }

    func testDevicesAndFoldersAreNotJSONFiles() {
        for path in ["/dev/zero", NSTemporaryDirectory()] {
            XCTAssertThrowsError(try JSONInput(path: path)) { error in
                XCTAssertEqual((error as? ToolError)?.exitCode, .usage, path)
                XCTAssertEqual((error as? ToolError)?.file, path)
            }
        }
    }
}
