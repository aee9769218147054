// Helpers of the LongTail tests: fixture loading (Fixtures/ beside this file, written by
// scripts/fixtures/make_detection_fixtures.py) and float comparisons.
import Foundation
import XCTest

enum Fixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent(name))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func floats(_ value: Any?) -> [Float] { (value as! [Any]).map { Float(($0 as! NSNumber).doubleValue) } }
    static func ints(_ value: Any?) -> [Int] { (value as! [Any]).map { ($0 as! NSNumber).intValue } }
    static func double(_ value: Any?) -> Double { (value as! NSNumber).doubleValue }
}

func assertClose(_ actual: [Float], _ expected: [Float], absolute: Float = 1e-5, relative: Float = 1e-5,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "count \(message)", file: file, line: line)
    var failures = 0
    for (index, (a, b)) in zip(actual, expected).enumerated() where !(abs(a - b) <= absolute + relative * abs(b)) {
        failures += 1
        if failures <= 5 { XCTFail("[\(index)] \(a) != \(b) \(message)", file: file, line: line) }
    }
}

/// Chi-square statistic of observed counts against expected probabilities (bins with
/// expected count 0 must be empty).
func chiSquare(counts: [Int], probabilities: [Double]) -> Double {
    let total = Double(counts.reduce(0, +))
    var statistic = 0.0
    for (count, p) in zip(counts, probabilities) {
        if p == 0 { XCTAssertEqual(count, 0, "a zero-probability bin was drawn"); continue }
        let expected = total * p
        statistic += (Double(count) - expected) * (Double(count) - expected) / expected
    }
    return statistic
}
