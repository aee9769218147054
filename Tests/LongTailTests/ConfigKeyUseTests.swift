// No config key is decoded without being used: every key of a full stage-2 config (the
// resolved tiny-loce preset, which has every section) must be read somewhere in Sources/
// outside the config types themselves (Detection/Config and LongTail/Config: declarations,
// validation, size estimates) and the fuzz targets. (In LongTailTests: the stage-2 config
// type, `FinetuneConfig`, is LongTail's.) A key that only its declaration and its range check
// mention is a setting that does nothing, whatever the user writes in it. (A read is
// `.key` in the source text: a name shared with another type's member could hide an unused
// key, never report a used one.)
import XCTest
import Foundation
@testable import SharedDetection
@testable import SharedLongTail

final class ConfigKeyUseTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Keys whose only reader is a member of their config type (a derived value): the key and
    /// that member, which must itself be read outside the config folder.
    static let readThrough = [
        "referenceBatchSize": "scaledLearningRate",
    ]

    func testEveryConfigKeyIsReadOutsideTheConfigTypes() throws {
        let path = Self.repository.appendingPathComponent("pipelines/configs/tiny-loce.json").path
        let config = try FinetuneConfig.load(path: path)  // tiny-loce has every section, loce included
        let tree = try JSONSerialization.jsonObject(with: config.encoded())
        let keys = Set(Self.leafKeys(tree, path: "").map { $0.split(separator: ".").last.map(String.init)! })
        XCTAssertGreaterThan(keys.count, 60, "the encoded config lost its keys")

        let sources = try Self.swiftSources(under: Self.repository.appendingPathComponent("Sources"))
            .filter { !$0.path.contains("/Detection/Config/") && !$0.path.contains("/LongTail/Config/") && !$0.path.contains("/FuzzTargets/") }
            .map { try String(contentsOf: $0, encoding: .utf8) }
        XCTAssertGreaterThan(sources.count, 100)
        for key in keys.sorted() {
            let member = Self.readThrough[key] ?? key
            let pattern = try NSRegularExpression(pattern: "\\.\(member)\\b")
            let used = sources.contains { text in
                pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            }
            XCTAssertTrue(used, "config key '\(key)'" + (member == key ? "" : " (through '\(member)')")
                          + " is decoded but never read outside the config folders: wire it or delete it")
        }
    }

    /// "a.b.c" for every leaf of a JSON tree (arrays are leaves: a list is one setting).
    static func leafKeys(_ value: Any, path: String) -> [String] {
        guard let object = value as? [String: Any] else { return [path] }
        return object.keys.flatMap { leafKeys(object[$0]!, path: path.isEmpty ? $0 : "\(path).\($0)") }
    }

    static func swiftSources(under folder: URL) throws -> [URL] {
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
        return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
    }
}
