// A preset from pipelines/configs made cheap enough for debug-build end-to-end runs (fewer
// proposals and detections, a 1-image-per-category LOCE warm-up), written into a folder.
import Foundation
import XCTest

enum FastConfig {
    static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("pipelines/configs").path

    /// Writes the fast variant of `preset` (after `edit`, which may add top-level keys) into
    /// `directory`, as a config whose base is the preset file; returns its path.
    static func write(_ preset: String, into directory: String,
                      edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let proposals: [String: Any] = ["preNMSTopK": 300, "postNMSTopK": 100]
        var config: [String: Any] = [
            "base": configs + "/\(preset).json",
            "rpn": ["train": proposals, "test": proposals],
            "test": ["maxDetectionsPerImage": 40],
        ]
        // Stage-2 presets (named "-loce") have a loce section.
        if preset.hasSuffix("-loce") { config["loce"] = ["warmupImagesPerCategory": 1] }
        edit(&config)
        let path = directory + "/\(preset)-\(UInt32.random(in: 0...UInt32.max)).json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return path
    }
}
