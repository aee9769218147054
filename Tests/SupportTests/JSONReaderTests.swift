// The pull JSON reader: structure walking, strings and escapes, literals, skipping values
// of any depth, and the errors (with line and column) for malformed and truncated input.
import Foundation
import SharedSupport
import XCTest

/// Runs `body` with a reader over `text` (the input kept alive meanwhile).
func withReader<T>(_ text: String, _ body: (inout JSONReader) throws -> T) throws -> T {
    let input = JSONInput(text: text, path: "test.json")
    return try withExtendedLifetime(input) {
        var reader = input.makeReader()
        return try body(&reader)
    }
}

/// The ToolError thrown by `body`, or a test failure.
func jsonError(_ text: String, file: StaticString = #filePath, line: UInt = #line,
               _ body: (inout JSONReader) throws -> Void = { reader in try reader.skipValue(); try reader.finish() }) -> ToolError? {
    do {
        try withReader(text, body)
        XCTFail("expected an error for \(text.debugDescription)", file: file, line: line)
    } catch let error as ToolError {
        return error
    } catch {
        XCTFail("unexpected error type \(error)", file: file, line: line)
    }
    return nil
}

final class JSONReaderTests: XCTestCase {
    func testWalksObjectsAndArrays() throws {
        let text = #" { "id" : 7, "name": "cat", "box": [1, 2.5, -3e2, 0], "crowd": false, "note": null, "x": {"y": [[]]} } "#
        try withReader(text) { reader in
            var keys: [String] = []
            try reader.beginObject()
            while let key = try reader.nextKey() {
                keys.append(key.string)
                if key == "id" {
                    XCTAssertEqual(try reader.readInt(), 7)
                } else if key == "name" {
                    XCTAssertEqual(try reader.readString(), "cat")
                } else if key == "box" {
                    var numbers: [Double] = []
                    try reader.beginArray()
                    while try reader.nextElement() { numbers.append(try reader.readDouble()) }
                    XCTAssertEqual(numbers, [1, 2.5, -300, 0])
                } else if key == "crowd" {
                    XCTAssertEqual(try reader.readBool(), false)
                } else if key == "note" {
                    XCTAssertTrue(try reader.consumeNull())
                } else {
                    XCTAssertEqual(try reader.peek(), .object)
                    try reader.skipValue()
                }
            }
            try reader.finish()
            XCTAssertEqual(keys, ["id", "name", "box", "crowd", "note", "x"])
        }
    }

    func testEmptyDocumentIsAnError() throws {
        XCTAssertTrue(jsonError("")?.message.contains("end of input") ?? false)
        XCTAssertTrue(jsonError("  \n ")?.message.contains("end of input") ?? false)
    }

    func testEmptyContainers() throws {
        try withReader("[ ]") { reader in
            try reader.beginArray()
            XCTAssertFalse(try reader.nextElement())
        }
        try withReader("{}") { reader in
            try reader.beginObject()
            XCTAssertNil(try reader.nextKey())
        }
    }

    func testStringEscapesAndSurrogates() throws {
        let text = #"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00!", "\ud800x", "\udc00", "caf\u00E9", "plain é"]"#
        let strings = try withReader(text) { reader -> [String] in
            var result: [String] = []
            try reader.beginArray()
            while try reader.nextElement() { result.append(try reader.readString()) }
            return result
        }
        XCTAssertEqual(strings, ["a\"b\\c/d\u{8}\u{c}\n\r\t", "é中", "😀!", "\u{FFFD}x", "\u{FFFD}", "café", "plain é"])
    }

    func testEscapedKeysCompareDecoded() throws {
        try withReader(#"{"image\u005fid": 3}"#) { reader in
            try reader.beginObject()
            let key = try XCTUnwrap(try reader.nextKey())
            XCTAssertTrue(key == "image_id")
            XCTAssertFalse(key == "image_i")
            XCTAssertEqual(try reader.readInt(), 3)
        }
    }

    func testStringBytesKeepBackslashesOfRLEStrings() throws {
        // COCO compressed counts use ASCII 48...111, which includes the backslash.
        let bytes = try withReader(#""ab\\c""#) { try $0.readStringBytes() }
        XCTAssertEqual(bytes, Array("ab\\c".utf8))
    }

    func testSkipsDeepNestingWithoutRecursion() throws {
        let depth = 100_000
        let text = String(repeating: "[{\"a\":", count: depth) + "1" + String(repeating: "}]", count: depth)
        try withReader(text) { reader in
            try reader.skipValue()
            try reader.finish()
        }
    }

    func testSkipsEveryKindOfValue() throws {
        let text = #"[{"a": [1, -2.5e-3, "x\"y", true, false, null, {}, [], NaN, -Infinity]}, "end"]"#
        try withReader(text) { reader in
            try reader.beginArray()
            XCTAssertTrue(try reader.nextElement())
            try reader.skipValue()
            XCTAssertTrue(try reader.nextElement())
            XCTAssertEqual(try reader.readString(), "end")
            XCTAssertFalse(try reader.nextElement())
            try reader.finish()
        }
    }

    func testIntegersAcceptIntegralNumbersOnly() throws {
        XCTAssertEqual(try withReader("3.0") { try $0.readInt() }, 3)
        XCTAssertEqual(try withReader("1e3") { try $0.readInt() }, 1000)
        XCTAssertEqual(try withReader("-9223372036854775808") { try $0.readInt() }, Int.min)
        XCTAssertNotNil(jsonError("2.5") { _ = try $0.readInt() })
        XCTAssertNotNil(jsonError("\"7\"") { _ = try $0.readInt() })
    }

    func testErrorsNameLineAndColumn() throws {
        let error = try XCTUnwrap(jsonError("{\"a\": 1,\n  \"b\": }"))
        XCTAssertEqual(error.file, "test.json")
        XCTAssertEqual(error.record, "line 2, column 8")
        XCTAssertTrue(error.message.contains("expected a value"), error.message)
        XCTAssertEqual(error.exitCode, .dataError)
    }

    func testTruncatedInputIsAnError() throws {
        for text in ["[1, 2", "{\"a\": ", "{\"a\"", "\"abc", "[1, 2,", "tru", "-", "1.", "1e", "1e+", ""] {
            let error = try XCTUnwrap(jsonError(text), text)
            XCTAssertTrue(error.message.contains("end of input"), "\(text.debugDescription): \(error.message)")
        }
        XCTAssertEqual(jsonError("[1,\n 2")?.record, "line 2, column 3")
    }

    func testMalformedInputIsAnError() throws {
        let cases: [(String, String)] = [
            ("[1,]", "expected a value"),
            ("{\"a\":1,}", "expected a key"),
            ("[1 2]", "expected ',' or ']'"),
            ("{\"a\" 1}", "expected ':'"),
            ("{a: 1}", "expected a key"),
            ("[01]", "expected ',' or ']'"),
            ("[1] x", "expected the end"),
            ("\"a\u{1}b\"", "control character"),
            ("\"a\\qb\"", "invalid escape"),
            ("\"\\u12G4\"", "invalid hex digit"),
            ("[nul]", "expected 'null'"),
            ("[+1]", "expected a value"),
            ("[.5]", "expected a value"),
        ]
        for (text, expected) in cases {
            guard let error = jsonError(text, { reader in
                try reader.skipValue()
                try reader.finish()
            }) else { continue }
            XCTAssertTrue(error.message.contains(expected), "\(text.debugDescription): \(error.message)")
        }
        // Escapes are checked when the string is decoded.
        XCTAssertNotNil(jsonError("\"a\\qb\"") { _ = try $0.readString() })
    }

    func testByteOrderMarkIsExplained() throws {
        let error = try XCTUnwrap(jsonError("\u{FEFF}[1]"))
        XCTAssertEqual(error.message, "the file starts with a UTF-8 byte order mark")
        XCTAssertNotNil(error.hint)
    }

    func testTypeMismatchSaysWhatWasFound() throws {
        let error = try XCTUnwrap(jsonError("[\"x\"]") { reader in
            try reader.beginArray()
            _ = try reader.nextElement()
            _ = try reader.readDouble()
        })
        XCTAssertEqual(error.message, "expected a number, found a string")
        XCTAssertEqual(error.record, "line 1, column 2")
    }

    func testReadsFilesAndReportsMissingOnes() throws {
        let path = NSTemporaryDirectory() + "json-reader-test-\(getpid()).json"
        try writeFileAtomically(path, text: "{\"k\": [1, 2, 3]}\n")
        defer { unlink(path) }
        let input = try JSONInput(path: path)
        var reader = input.makeReader()
        try reader.skipValue()
        try reader.finish()
        XCTAssertEqual(input.bytes.count, 17)
        XCTAssertThrowsError(try JSONInput(path: path + ".missing")) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .ioError)
        }
        let empty = NSTemporaryDirectory() + "json-reader-empty-\(getpid()).json"
        try writeFileAtomically(empty, bytes: [])
        defer { unlink(empty) }
        XCTAssertThrowsError(try { var reader = try JSONInput(path: empty).makeReader(); try reader.skipValue() }())
    }
}
