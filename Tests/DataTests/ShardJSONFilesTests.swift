// Audit regression: a damaged manifest.json is reported in plain words (empty, not valid JSON
// because truncated, a missing field) with the hint to regenerate it, not a DecodingError dump.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class ShardJSONFilesTests: XCTestCase {
    func manifestError(_ text: String) throws -> ToolError {
        let directory = NSTemporaryDirectory() + "manifest-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try makeDirectory(directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try text.write(toFile: directory + "/" + ShardManifest.fileName, atomically: true, encoding: .utf8)
        var thrown: ToolError?
        XCTAssertThrowsError(try ShardManifest.read(directory: directory)) { thrown = $0 as? ToolError }
        let error = try XCTUnwrap(thrown, "expected a ToolError")
        XCTAssertTrue(error.file?.hasSuffix("/manifest.json") ?? false, "\(error)")
        XCTAssertEqual(error.hint, ShardManifest.regenerateHint)
        XCTAssertTrue(error.hint?.contains("lvis-prep convert") ?? false)
        XCTAssertFalse(error.message.contains("DecodingError"), error.message)
        return error
    }

    func testTruncatedManifestSaysItIsNotValidJSON() throws {
        let error = try manifestError(#"{"categories": [{"index": 0, "id": 1, "name": "#)
        XCTAssertTrue(error.message.hasPrefix("the file is not valid JSON: it is truncated or damaged"), error.message)
        XCTAssertEqual(error.exitCode, .dataError)
    }

    func testEmptyManifestSaysItIsEmpty() throws {
        XCTAssertEqual(try manifestError("").message, "the file is empty (an interrupted write?)")
    }

    func testMissingFieldIsNamed() throws {
        let error = try manifestError("{}")
        XCTAssertTrue(error.message.hasPrefix("field \""), error.message)
        XCTAssertTrue(error.message.contains("is missing"), error.message)
    }
}
