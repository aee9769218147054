// Test helpers: locating the fixtures written by scripts/fixtures/make_eval_fixtures.py and
// decoding the exact arrays they store (a value table plus runs of indices).
import Foundation
import SharedEval
import SharedSupport
import XCTest

enum Fixtures {
    /// Tests/EvalTests/Fixtures.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// The repository root.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// Tests/Fixtures/eval: the real evaluation data (copies of ../shared/data/eval, committed).
    static let sharedEval = repository.appendingPathComponent("Tests/Fixtures/eval")

    /// A fixture path; "SHARED/x" resolves into Tests/Fixtures/eval.
    static func path(_ name: String) -> String {
        if name.hasPrefix("SHARED/") {
            return sharedEval.appendingPathComponent(String(name.dropFirst("SHARED/".count))).path
        }
        return directory.appendingPathComponent(name).path
    }

    static func expected(_ name: String) throws -> ExpectedCase {
        try ExpectedCase(try object("\(name).expected.json"))
    }

    /// The JSON object in fixture `file`, read with the project's reader (strtod, correctly
    /// rounded): corelibs Foundation's JSONSerialization can be off by an ulp, which exact
    /// comparisons cannot afford.
    static func object(_ file: String) throws -> [String: Any] {
        let input = try JSONInput(path: directory.appendingPathComponent(file).path)
        return try withExtendedLifetime(input) {
            var reader = input.makeReader()
            return try XCTUnwrap(try readValue(&reader) as? [String: Any])
        }
    }
}

/// A JSON value as Foundation-like objects, numbers as exact `Double`s (ints as `Int`).
func readValue(_ reader: inout JSONReader) throws -> Any {
    switch try reader.peek() {
    case .object:
        var object: [String: Any] = [:]
        try reader.beginObject()
        while let key = try reader.nextKey() { object[key.string] = try readValue(&reader) }
        return object
    case .array:
        var array: [Any] = []
        try reader.beginArray()
        while try reader.nextElement() { array.append(try readValue(&reader)) }
        return array
    case .string: return try reader.readString()
    case .number:
        let value = try reader.readDouble()
        return value == value.rounded() && abs(value) < 1e15 && !(value == 0 && value.sign == .minus) ? (Int(value) as Any) : (value as Any)
    case .bool: return try reader.readBool()
    case .null:
        _ = try reader.consumeNull()
        return NSNull()
    }
}

enum FixtureError: Error { case notANumber(String) }

/// A number from `readValue` as a Double.
func number(_ value: Any?) throws -> Double {
    if let value = value as? Double { return value }
    if let value = value as? Int { return Double(value) }
    throw FixtureError.notANumber(String(describing: value))
}

/// One reference run: inputs, stats, and (for synthetic cases) the precision/recall arrays.
struct ExpectedCase {
    let name: String
    let style: String
    let iouType: String
    let groundTruth: String
    let results: String
    let stats: [String: Double]
    /// What the reference printed (pycocotools summarize / LVIS print_results).
    let summaryText: String
    let iouThresholds: [Double]
    let recallThresholds: [Double]
    let categoryAP: [Double]
    /// Shape and values in the stored order (recall points last).
    let precision: ExactArray?
    let recall: ExactArray?

    init(_ object: [String: Any]) throws {
        name = try XCTUnwrap(object["name"] as? String)
        style = try XCTUnwrap(object["style"] as? String)
        iouType = try XCTUnwrap(object["iou_type"] as? String)
        groundTruth = try XCTUnwrap(object["gt"] as? String)
        results = try XCTUnwrap(object["dt"] as? String)
        stats = try XCTUnwrap(object["stats"] as? [String: Any]).mapValues(number)
        summaryText = try XCTUnwrap(object["summary_text"] as? String)
        iouThresholds = try XCTUnwrap(object["iou_thresholds"] as? [Any]).map(number)
        recallThresholds = try XCTUnwrap(object["recall_thresholds"] as? [Any]).map(number)
        categoryAP = try XCTUnwrap(object["category_ap"] as? [Any]).map(number)
        precision = try (object["precision"] as? [String: Any]).map(ExactArray.init)
        recall = try (object["recall"] as? [String: Any]).map(ExactArray.init)
    }
}

/// A float64 array stored exactly: distinct values and runs "i" / "ixN" of their indices.
struct ExactArray {
    let shape: [Int]
    let values: [Double]

    init(_ object: [String: Any]) throws {
        shape = try XCTUnwrap(object["shape"] as? [Int])
        let table = try XCTUnwrap(object["values"] as? [Any]).map(number)
        let runs = try XCTUnwrap(object["runs"] as? String)
        var values: [Double] = []
        for token in runs.split(separator: " ") {
            let parts = token.split(separator: "x")
            let index = try XCTUnwrap(Int(parts[0]))
            let count = parts.count > 1 ? try XCTUnwrap(Int(parts[1])) : 1
            values.append(contentsOf: repeatElement(table[index], count: count))
        }
        XCTAssertEqual(values.count, shape.reduce(1, *), "decoded array size")
        self.values = values
    }
}

/// Every precision and recall entry of `result` bit for bit against the reference's.
/// Stored order: precision (T, K, A[, M], R), recall (T, K, A[, M]).
func assertArraysMatch(_ result: EvaluationResult, precision: ExactArray, recall: ExactArray, name: String,
                       file: StaticString = #filePath, line: UInt = #line) {
    let s = result.shape
    XCTAssertEqual(precision.values.count, s.t * s.r * s.k * s.a * s.m, "\(name): precision size", file: file, line: line)
    XCTAssertEqual(recall.values.count, s.t * s.k * s.a * s.m, "\(name): recall size", file: file, line: line)
    guard precision.values.count == s.t * s.r * s.k * s.a * s.m, recall.values.count == s.t * s.k * s.a * s.m else { return }
    var mismatches = 0, i = 0, j = 0
    for t in 0..<s.t {
        for k in 0..<s.k {
            for a in 0..<s.a {
                for m in 0..<s.m {
                    for r in 0..<s.r {
                        let ours = result.precision(t: t, r: r, k: k, a: a, m: m)
                        if ours.bitPattern != precision.values[i].bitPattern {
                            mismatches += 1
                            if mismatches <= 5 {
                                XCTFail("\(name) precision[t=\(t), r=\(r), k=\(k), a=\(a), m=\(m)] = \(ours), reference \(precision.values[i])", file: file, line: line)
                            }
                        }
                        i += 1
                    }
                    let ours = result.recall(t: t, k: k, a: a, m: m)
                    if ours.bitPattern != recall.values[j].bitPattern {
                        mismatches += 1
                        if mismatches <= 5 {
                            XCTFail("\(name) recall[t=\(t), k=\(k), a=\(a), m=\(m)] = \(ours), reference \(recall.values[j])", file: file, line: line)
                        }
                    }
                    j += 1
                }
            }
        }
    }
    XCTAssertEqual(mismatches, 0, "\(name): entries differing from the reference", file: file, line: line)
}
