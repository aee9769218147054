// A preset from pipelines/configs made cheap enough for debug-build end-to-end runs (fewer
// proposals and detections, a 1-image-per-category LOCE warm-up), written into a folder.
import Foundation
import XCTest

enum FastConfig {
    static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("pipelines/configs").path

    /// Writes the fast variant of `preset` (after `edit`) into `directory`; returns its path.
    static func write(_ preset: String, into directory: String,
                      edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configs + "/\(preset).json")))
                                   as? [String: Any])
        var rpn = try XCTUnwrap(config["rpn"] as? [String: Any])
        rpn["train"] = ["preNMSTopK": 300, "postNMSTopK": 100, "nmsIoU": 0.7, "minimumSize": 0]
        rpn["test"] = ["preNMSTopK": 300, "postNMSTopK": 100, "nmsIoU": 0.7, "minimumSize": 0]
        config["rpn"] = rpn
        var test = try XCTUnwrap(config["test"] as? [String: Any])
        test["maxDetectionsPerImage"] = 40
        config["test"] = test
        if var loce = config["loce"] as? [String: Any] {
            loce["warmupImagesPerCategory"] = 1
            config["loce"] = loce
        }
        edit(&config)
        let path = directory + "/\(preset)-\(UInt32.random(in: 0...UInt32.max)).json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return path
    }
}
