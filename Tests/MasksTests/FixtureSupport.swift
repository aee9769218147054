// Test helpers: load the pycocotools golden files written by
// scripts/fixtures/make_mask_fixtures.py (parsed with the project's exact JSON reader:
// Foundation's JSONSerialization on Linux does not round every double correctly).
import Foundation
import SharedData
import SharedMasks
import SharedSupport
import XCTest

enum MaskFixtures {
    static let testsFolder = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    static let folder = testsFolder.appendingPathComponent("Fixtures")

    /// The committed real data (Tests/Fixtures: coco128's and LVIS v0.5's annotations).
    static let realData = testsFolder.deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load(_ name: String) throws -> [String: Any] {
        let input = try JSONInput(path: folder.appendingPathComponent(name).path)
        return try withExtendedLifetime(input) {
            var reader = input.makeReader()
            return try XCTUnwrap(try jsonTree(&reader) as? [String: Any])
        }
    }

    static func cases(_ name: String, _ key: String) throws -> [[String: Any]] {
        try XCTUnwrap(try load(name)[key] as? [[String: Any]], "fixture \(name) has no list \(key)")
    }

    /// A JSON value as Foundation-like values: numbers are Doubles.
    static func jsonTree(_ reader: inout JSONReader) throws -> Any {
        switch try reader.peek() {
        case .object:
            var object: [String: Any] = [:]
            try reader.beginObject()
            while let key = try reader.nextKey() { object[key.string] = try jsonTree(&reader) }
            return object
        case .array:
            var array: [Any] = []
            try reader.beginArray()
            while try reader.nextElement() { array.append(try jsonTree(&reader)) }
            return array
        case .string: return try reader.readString()
        case .number: return try reader.readDouble()
        case .bool: return try reader.readBool()
        case .null:
            _ = try reader.consumeNull()
            return NSNull()
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    func int(_ key: String) -> Int { (self[key] as? Double).map { Int($0) } ?? -1 }
    func doubles(_ key: String) -> [Double] { (self[key] as? [Any])?.compactMap { $0 as? Double } ?? [] }
    func ints(_ key: String) -> [Int] { doubles(key).map { Int($0) } }
    func counts(_ key: String) -> [UInt32] { doubles(key).map { UInt32($0) } }
    func doubleLists(_ key: String) -> [[Double]] {
        (self[key] as? [Any])?.map { (($0 as? [Any]) ?? []).compactMap { $0 as? Double } } ?? []
    }
    func countLists(_ key: String) -> [[UInt32]] { doubleLists(key).map { $0.map { UInt32($0) } } }
    func bools(_ key: String) -> [Bool] { (self[key] as? [Any])?.compactMap { $0 as? Bool } ?? [] }
    func string(_ key: String) -> String { self[key] as? String ?? "" }
}

func box(_ values: [Double]) -> BoxXYWH {
    BoxXYWH(x: values[0], y: values[1], width: values[2], height: values[3])
}

func values(_ box: BoxXYWH) -> [Double] { [box.x, box.y, box.width, box.height] }
