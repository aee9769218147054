// Test-time settings changed without retraining: `detect-train predict --set KEY=VALUE`
// replaces one value of the checkpoint config's `test` section (score threshold, NMS IoU,
// detections per image, mask threshold), checked against the same ranges as a config file.
import SharedSupport

/// One `KEY=VALUE` of `predict --set`; KEY is a key of the `test` section, with or without
/// the `test.` prefix.
public struct TestSettingOverride: Equatable, Sendable {
    public enum Key: String, CaseIterable, Sendable {
        case scoreThreshold, nmsIoU, maxDetectionsPerImage, maskThreshold
    }

    public var key: Key
    public var value: Double

    public init(key: Key, value: Double) {
        self.key = key; self.value = value
    }

    /// Parses `KEY=VALUE`; a usage error (exit 64) names what is wrong.
    public init(parsing text: String) throws {
        let keyList = Key.allCases.map { "test.\($0.rawValue)" }.joined(separator: ", ")
        guard let equals = text.firstIndex(of: "=") else {
            throw ToolError.usage("--set \(text): expected KEY=VALUE", hint: "KEY is one of \(keyList)")
        }
        var name = String(text[..<equals])
        if name.hasPrefix("test.") { name.removeFirst(5) }
        guard let key = Key(rawValue: name) else {
            throw ToolError.usage("--set \(text): \(text[..<equals]) is not a test-time setting", hint: "KEY is one of \(keyList)")
        }
        let valueText = text[text.index(after: equals)...]
        guard let value = Double(valueText), value.isFinite else {
            throw ToolError.usage("--set \(text): \(valueText.isEmpty ? "no value" : "'\(valueText)' is not a finite number")")
        }
        if key == .maxDetectionsPerImage {
            let range = ConfigLimits.maxDetectionsPerImage
            guard value.rounded() == value, value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
                throw ToolError.usage("--set \(text): test.maxDetectionsPerImage takes a whole number in \(range)")
            }
        }
        self.init(key: key, value: value)
    }
}

extension DetectorConfig {
    /// The config with `overrides` applied to its `test` section, in order (a later one for
    /// the same key wins); a value outside its range is a usage error naming it.
    public func applying(_ overrides: [TestSettingOverride]) throws -> DetectorConfig {
        var copy = self
        for override in overrides {
            switch override.key {
            case .scoreThreshold: copy.test.scoreThreshold = override.value
            case .nmsIoU: copy.test.nmsIoU = override.value
            case .maxDetectionsPerImage: copy.test.maxDetectionsPerImage = Int(override.value)
            case .maskThreshold: copy.test.maskThreshold = override.value
            }
        }
        let problems = copy.validationProblems()
        guard problems.isEmpty else {
            throw ToolError.usage("--set: " + problems.joined(separator: "; "),
                                  hint: "see the ranges in Sources/Shared/Detection/Config/README.md")
        }
        return copy
    }
}
