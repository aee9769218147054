// The JSON writer: separators, escaping, Python-repr doubles, and a read-back round trip.
import Foundation
import SharedSupport
import XCTest

final class JSONWriterTests: XCTestCase {
    func testWritesStructureWithSeparators() {
        var json = JSONWriter()
        json.beginObject()
        json.key("id"); json.value(-42)
        json.key("box"); json.value([1.5, 2, 3, 4])
        json.key("empty"); json.beginArray(); json.endArray()
        json.key("ok"); json.value(true)
        json.key("none"); json.null()
        json.key("list"); json.beginArray(); json.beginObject(); json.endObject(); json.value(0); json.endArray()
        json.endObject()
        XCTAssertEqual(json.text, #"{"id":-42,"box":[1.5,2.0,3.0,4.0],"empty":[],"ok":true,"none":null,"list":[{},0]}"#)
    }

    /// The expected strings are Python's `json.dumps` of the same values.
    func testDoublesAreWrittenLikePython() {
        let values: [Double] = [0.1, 1.0, -2.5, 1e16, 1e15, 123456789012345678.0, 1e-4, 1e-5, 0.00012345,
                                5e-324, 1.7976931348623157e308, 1e22, 100.0, 0.30000000000000004, 1e-7]
        var json = JSONWriter()
        json.value(values)
        XCTAssertEqual(json.text, "[0.1,1.0,-2.5,1e+16,1000000000000000.0,1.2345678901234568e+17,0.0001,1e-05,"
            + "0.00012345,5e-324,1.7976931348623157e+308,1e+22,100.0,0.30000000000000004,1e-07]")
        XCTAssertEqual(json.nonFiniteNumbers, 0)
    }

    /// NaN and infinities are not JSON (Python's `NaN`/`Infinity` literals are refused by
    /// strict readers): the writer writes `null` and counts them, so a caller can refuse.
    func testNonFiniteNumbersBecomeNullAndAreCounted() throws {
        var json = JSONWriter()
        json.beginObject()
        json.key("score"); json.value(Double.nan)
        json.key("bbox"); json.value([1, .infinity, -.infinity, 4])
        json.key("ok"); json.value(0.5)
        json.endObject()
        XCTAssertEqual(json.text, #"{"score":null,"bbox":[1.0,null,null,4.0],"ok":0.5}"#)
        XCTAssertEqual(json.nonFiniteNumbers, 3)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(json.bytes)), "strict JSON")
        _ = json.takeBytes()
        XCTAssertEqual(json.nonFiniteNumbers, 3, "the count covers everything written, drained or not")
    }

    func testEscapesStrings() {
        var json = JSONWriter()
        json.value("a\"b\\c\n\t\u{1}é")
        json.value(stringBytes: Array("x\\y".utf8))
        XCTAssertEqual(json.text, #""a\"b\\c\n\t\u0001é","x\\y""#)
    }

    func testIntegers() {
        var json = JSONWriter()
        for value in [0, 7, -7, Int.max, Int.min] { json.value(value) }
        XCTAssertEqual(json.text, "0,7,-7,9223372036854775807,-9223372036854775808")
    }

    func testRoundTripThroughTheReader() throws {
        var random = SeededRandom(seed: 3)
        var values: [Double] = []
        for _ in 0..<1000 { values.append((random.nextDouble() - 0.5) * pow(10, Double(random.nextInt(below: 40)) - 20)) }
        var json = JSONWriter()
        json.beginObject()
        json.key("k\u{e9}y"); json.value(values)
        json.endObject()
        let back = try withReader(json.text) { reader -> [Double] in
            try reader.beginObject()
            let key = try XCTUnwrap(try reader.nextKey())
            XCTAssertEqual(key.string, "kéy")
            var result: [Double] = []
            try reader.beginArray()
            while try reader.nextElement() { result.append(try reader.readDouble()) }
            XCTAssertNil(try reader.nextKey())
            return result
        }
        XCTAssertEqual(back.map(\.bitPattern), values.map(\.bitPattern))
    }

    func testTakeBytesKeepsState() {
        var json = JSONWriter()
        json.beginArray(); json.value(1)
        let first = json.takeBytes()
        json.value(2); json.endArray()
        XCTAssertEqual(String(decoding: first + json.bytes, as: UTF8.self), "[1,2]")
    }
}
