// Reads the JSON fixtures written by scripts/fixtures/make_detection_fixtures.py from the
// Fixtures folder beside this file, and converts their arrays to our types.
import Foundation
import XCTest
@testable import SharedDetection

enum Fixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The top-level object of `Fixtures/name`; fails the test if missing.
    static func load(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let url = folder.appendingPathComponent(name)
        let data = try Data(contentsOf: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            XCTFail("\(name) is not a JSON object; rerun scripts/fixtures/make_detection_fixtures.py", file: file, line: line)
            throw CocoaError(.fileReadCorruptFile)
        }
        return object
    }

    static func floats(_ value: Any?) -> [Float] { (value as! [Any]).map { Float(($0 as! NSNumber).doubleValue) } }
    static func doubles(_ value: Any?) -> [Double] { (value as! [Any]).map { ($0 as! NSNumber).doubleValue } }
    static func ints(_ value: Any?) -> [Int] { (value as! [Any]).map { ($0 as! NSNumber).intValue } }
    static func boxes(_ value: Any?) -> [Box] {
        (value as! [Any]).map { row in
            let c = floats(row)
            return Box(x1: c[0], y1: c[1], x2: c[2], y2: c[3])
        }
    }
    static func box(_ value: Any?) -> Box {
        let c = floats(value)
        return Box(x1: c[0], y1: c[1], x2: c[2], y2: c[3])
    }
    static func objects(_ value: Any?) -> [[String: Any]] { value as! [[String: Any]] }
}

/// Random boxes inside `extent` x `extent` with sides in [minimumSide, maximumSide).
func randomBoxes(_ count: Int, extent: Float = 200, minimumSide: Float = 1, maximumSide: Float = 60,
                 random: inout SeededRandomBoxSource) -> [Box] {
    (0..<count).map { _ in
        let x = random.uniform(0, extent), y = random.uniform(0, extent)
        return Box(x1: x, y1: y, x2: x + random.uniform(minimumSide, maximumSide), y2: y + random.uniform(minimumSide, maximumSide))
    }
}

import SharedSupport

/// A seeded source of uniform floats for test inputs.
struct SeededRandomBoxSource {
    var random: SeededRandom
    init(seed: UInt64) { random = SeededRandom(seed: seed) }
    mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * random.nextFloat() }
}

/// Asserts two float arrays agree within |a - b| <= absolute + relative * |b|.
func assertClose(_ actual: [Float], _ expected: [Float], absolute: Float = 1e-5, relative: Float = 1e-5,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "count \(message)", file: file, line: line)
    var failures = 0
    for (index, (a, b)) in zip(actual, expected).enumerated() where !(abs(a - b) <= absolute + relative * abs(b)) {
        failures += 1
        if failures <= 5 { XCTFail("[\(index)] \(a) != \(b) \(message)", file: file, line: line) }
    }
}

func assertClose(_ actual: Box, _ expected: Box, tolerance: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line) {
    assertClose(actual.corners, expected.corners, absolute: tolerance, relative: tolerance, "\(actual) vs \(expected)", file: file, line: line)
}
