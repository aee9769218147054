// Bad configs fail with messages that name the key path: unknown keys, bad enum values,
// values that decode but make no sense; and comparisons name exactly the fields that differ.
import XCTest
import Foundation
@testable import SharedDetection
import SharedSupport

final class ConfigValidationTests: XCTestCase {
    /// The smoke preset as a mutable JSON tree.
    func smokeTree() throws -> [String: Any] {
        try PresetFiles.tree("smoke")
    }

    func decode(_ tree: [String: Any]) throws -> DetectorConfig {
        try DetectorConfig.decode(try JSONSerialization.data(withJSONObject: tree), file: "edited.json")
    }

    func message(_ body: () throws -> DetectorConfig) -> String? {
        do { _ = try body(); return nil } catch let error as ToolError { return error.message } catch { return "\(error)" }
    }

    func testUnknownKeyIsNamedWithItsPath() throws {
        var tree = try smokeTree()
        var roi = tree["roiHeads"] as! [String: Any]
        var mask = roi["maskHead"] as! [String: Any]
        mask["normedScael"] = 20
        roi["maskHead"] = mask
        tree["roiHeads"] = roi
        XCTAssertEqual(message { try decode(tree) }, "unknown key 'roiHeads.maskHead.normedScael'")

        var top = try smokeTree()
        top["lr"] = 0.1
        XCTAssertEqual(message { try decode(top) }, "unknown key 'lr'")
    }

    func testMissingKeyAndBadEnumAreNamed() throws {
        var tree = try smokeTree()
        var fpn = tree["fpn"] as! [String: Any]
        fpn["channels"] = nil
        tree["fpn"] = fpn
        XCTAssertEqual(message { try decode(tree) }, "missing key 'fpn.channels'")

        var enumTree = try smokeTree()
        var backbone = enumTree["backbone"] as! [String: Any]
        backbone["norm"] = "BatchNorm"
        enumTree["backbone"] = backbone
        let text = try XCTUnwrap(message { try decode(enumTree) })
        XCTAssertTrue(text.contains("backbone.norm"), text)
    }

    func testValidationNamesTheBadFields() throws {
        var config = try PresetFiles.load("smoke")
        XCTAssertEqual(config.validationProblems(), [])
        config.backbone.groups = 3
        XCTAssertEqual(config.validationProblems(), ["backbone.groups = 3 does not divide the width 8",
                                                     "backbone.groups = 3 does not divide the width 16",
                                                     "backbone.groups = 3 does not divide the width 32",
                                                     "backbone.groups = 3 does not divide the width 64"])
        config = try PresetFiles.load("smoke")
        config.rpn.anchorStrides = [4, 8, 16, 32]
        config.solver.decaySteps = [150, 100]
        XCTAssertEqual(config.validationProblems(), [
            "rpn.anchorStrides [4, 8, 16, 32] must equal the FPN level strides [4, 8, 16, 32, 64]",
            "solver.decaySteps must be increasing, got [150, 100]",
        ])
        config = try PresetFiles.load("smoke")
        config.input.padMultiple = 48
        config.roiHeads.sampler.positiveFraction = 1.5
        XCTAssertThrowsError(try config.validate(file: "x.json")) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.file, "x.json")
            XCTAssertEqual(toolError?.message, "2 invalid values: roiHeads.sampler.positiveFraction must be in [0, 1], got 1.5; "
                           + "input.padMultiple = 48 must be a multiple of the backbone's coarsest stride 32")
        }
        var bottleneck = try PresetFiles.load("r50-fpn")
        bottleneck.backbone.stageWidths[1] = 510
        XCTAssertEqual(bottleneck.validationProblems(), ["backbone.stageWidths[1] = 510 must be a multiple of 4 for Bottleneck"])
    }

    func testClassCountResolution() throws {
        let smoke = try PresetFiles.load("smoke")
        XCTAssertNil(smoke.roiHeads.numClasses)
        XCTAssertEqual(try smoke.resolved(numClasses: 7).classCount, 7)
        let r50 = try PresetFiles.load("r50-fpn")
        XCTAssertEqual(try r50.resolved(numClasses: 1203).classCount, 1203)
        XCTAssertThrowsError(try r50.resolved(numClasses: 1230)) { error in
            XCTAssertEqual((error as? ToolError)?.message,
                           "the config says roiHeads.numClasses = 1203 but the data has 1230 categories")
        }
    }

    func testDifferencesNameExactlyTheChangedFields() throws {
        let base = try PresetFiles.load("tiny").resolved(numClasses: 100)
        XCTAssertEqual(base.differences(from: base), [])
        var other = base
        other.roiHeads.numClasses = 50
        other.backbone.stageWidths[3] = 512
        other.solver.imagesPerBatch = 8
        other.backbone.pretrained = "w.safetensors"
        XCTAssertEqual(base.differences(from: other), [
            ConfigDifference(path: "backbone.pretrained", left: "absent", right: "\"w.safetensors\""),
            ConfigDifference(path: "backbone.stageWidths[3]", left: "256", right: "512"),
            ConfigDifference(path: "roiHeads.numClasses", left: "100", right: "50"),
            ConfigDifference(path: "solver.imagesPerBatch", left: "4", right: "8"),
        ])
        XCTAssertEqual(base.architectureDifferences(from: other).map(\.path), ["backbone.stageWidths[3]", "roiHeads.numClasses"])
        var lists = base
        lists.input.trainShortSides = [256]
        XCTAssertEqual(base.differences(from: lists), [ConfigDifference(path: "input.trainShortSides", left: "[224,256,288]", right: "[256]")])
        var flags = base
        flags.rpn.matcher.lowQualityMatches = false
        XCTAssertEqual(base.differences(from: flags).map(\.description), ["rpn.matcher.lowQualityMatches: true vs false"])
    }

    func testCheckpointFromAnotherConfigIsRefusedWithTheDifferences() throws {
        let config = try PresetFiles.load("tiny").resolved(numClasses: 100)
        var checkpoint = config
        checkpoint.solver.length = 12  // not architecture: accepted for fine-tuning
        XCTAssertNoThrow(try config.requireCompatible(checkpointConfig: checkpoint, checkpoint: "c.safetensors"))
        XCTAssertThrowsError(try config.requireCompatible(checkpointConfig: checkpoint, checkpoint: "c.safetensors", scope: [""]))
        checkpoint.roiHeads.numClasses = 1203
        checkpoint.fpn.channels = 256
        XCTAssertThrowsError(try config.requireCompatible(checkpointConfig: checkpoint, checkpoint: "c.safetensors")) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.file, "c.safetensors")
            XCTAssertEqual(toolError?.message, """
                the checkpoint was written under another config; 2 fields differ:
                  fpn.channels: checkpoint 256, config 64
                  roiHeads.numClasses: checkpoint 1203, config 100
                """)
        }
    }
}
