// Config files built on others ("base"): objects merge key by key, other values replace,
// bases apply in order and relative to the file naming them, the result is decoded strictly
// (a misspelt key in a base is still an error), and bad chains are clean errors.
import XCTest
import Foundation
@testable import SharedSupport

final class ConfigInheritanceTests: XCTestCase {
    struct Inner: Codable, Equatable { var a: Int; var b: [Int]; var c: String? }
    struct Config: Codable, Equatable { var name: String; var inner: Inner; var rate: Double }

    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "config-inheritance-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/parts", withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func error(_ body: () throws -> Any) -> ToolError? {
        do { _ = try body(); XCTFail("expected an error"); return nil } catch let error as ToolError { return error } catch {
            XCTFail("\(error)"); return nil
        }
    }

    func testObjectsMergeKeyByKeyAndOtherValuesReplace() throws {
        try write("base.json", #"{"name": "base", "inner": {"a": 1, "b": [1, 2, 3], "c": "kept"}, "rate": 0.16666666666666666}"#)
        let top = try write("top.json", #"{"base": "base.json", "name": "top", "inner": {"b": [9]}}"#)
        let config = try StrictConfigDecoder.load(Config.self, path: top)
        XCTAssertEqual(config, Config(name: "top", inner: Inner(a: 1, b: [9], c: "kept"), rate: 1.0 / 6))
        XCTAssertEqual(try ConfigInheritance.resolve(path: top).files, [top, folder + "/base.json"])
    }

    func testNullReplacesAndListedBasesApplyInOrderRelativeToTheirFile() throws {
        try write("base.json", #"{"name": "base", "inner": {"a": 1, "b": [], "c": "set"}, "rate": 1}"#)
        try write("parts/second.json", #"{"inner": {"a": 2}, "rate": 2}"#)
        try write("parts/third.json", #"{"base": "../base.json", "rate": 3}"#)
        let top = try write("top.json", #"{"base": ["base.json", "parts/second.json"], "inner": {"c": null}}"#)
        XCTAssertEqual(try StrictConfigDecoder.load(Config.self, path: top), Config(name: "base", inner: Inner(a: 2, b: [], c: nil), rate: 2))
        // A later base wins over an earlier one; the file itself over both.
        let other = try write("other.json", #"{"base": ["parts/second.json", "parts/third.json"]}"#)
        XCTAssertEqual(try StrictConfigDecoder.load(Config.self, path: other), Config(name: "base", inner: Inner(a: 1, b: [], c: "set"), rate: 3))
    }

    func testFilesWithoutBaseAreReturnedAsTheyAre() throws {
        let text = #"{"name": "x", "inner": {"a": 1, "b": []}, "rate": 1.5}"#
        let path = try write("plain.json", text)
        let resolved = try ConfigInheritance.resolve(path: path)
        XCTAssertEqual(resolved.data, Data(text.utf8))
        XCTAssertEqual(resolved.files, [path])
    }

    func testAMisspeltKeyInABaseIsStillAnErrorNamingTheFiles() throws {
        try write("base.json", #"{"name": "base", "inner": {"a": 1, "b": [], "tpyo": 1}, "rate": 1}"#)
        let top = try write("top.json", #"{"base": "base.json"}"#)
        let found = error { try StrictConfigDecoder.load(Config.self, path: top) }
        XCTAssertEqual(found?.message, "unknown key 'inner.tpyo'")
        XCTAssertEqual(found?.file, "\(top) (with its bases \(folder)/base.json)")
    }

    func testCyclesMissingBasesAndBadBaseValuesAreCleanErrors() throws {
        let a = try write("a.json", #"{"base": "b.json"}"#)
        try write("b.json", #"{"base": "a.json"}"#)
        XCTAssertEqual(error { try ConfigInheritance.resolve(path: a) }?.message,
                       "config base \"a.json\" is the file itself or one of the files built on it")
        XCTAssertEqual(error { try ConfigInheritance.resolve(path: a) }?.hint, "bases must not form a cycle")
        let itself = try write("self.json", #"{"base": "./self.json"}"#)
        XCTAssertEqual(error { try ConfigInheritance.resolve(path: itself) }?.hint, "bases must not form a cycle")

        let missing = try write("missing.json", #"{"base": "nowhere.json"}"#)
        let notFound = error { try ConfigInheritance.resolve(path: missing) }
        XCTAssertEqual(notFound?.file, folder + "/nowhere.json")
        XCTAssertEqual(notFound?.exitCode, .ioError)

        for bad in [#"1"#, #""""#, #"[]"#, #"["a.json", 2]"#, #"{"x": 1}"#] {
            let path = try write("bad.json", #"{"base": \#(bad)}"#)
            XCTAssertEqual(error { try ConfigInheritance.resolve(path: path) }?.message,
                           "key 'base' must be a file name or a non-empty list of file names", bad)
        }
        try write("array.json", "[1, 2]")
        let onArray = try write("on-array.json", #"{"base": "array.json"}"#)
        XCTAssertEqual(error { try ConfigInheritance.resolve(path: onArray) }?.message, "base config is not a JSON object")
        try write("broken.json", "{")
        let onBroken = try write("on-broken.json", #"{"base": "broken.json"}"#)
        XCTAssertEqual(error { try ConfigInheritance.resolve(path: onBroken) }?.file, folder + "/broken.json")
        let onDevice = try write("on-device.json", #"{"base": "/dev/zero"}"#)
        XCTAssertEqual(error { try ConfigInheritance.resolve(path: onDevice) }?.file, "/dev/zero")
    }

    func testChainsDeeperThanTheLimitAreRefused() throws {
        try write("c0.json", #"{"name": "deep", "inner": {"a": 1, "b": []}, "rate": 1}"#)
        for index in 1...ConfigInheritance.maximumDepth {
            try write("c\(index).json", #"{"base": "c\#(index - 1).json"}"#)
        }
        let deepest = folder + "/c\(ConfigInheritance.maximumDepth - 1).json"
        XCTAssertEqual(try StrictConfigDecoder.load(Config.self, path: deepest).name, "deep")
        let tooDeep = folder + "/c\(ConfigInheritance.maximumDepth).json"
        XCTAssertTrue(error { try ConfigInheritance.resolve(path: tooDeep) }?.message.contains("nested more than") ?? false)
    }
}
