// torchvision's state-dict layout: names (new and legacy), the class rows (background first
// there, last here), the architecture read from the keys, and errors that name every missing,
// unexpected, doubled or misshapen key. The names and shapes are those of torchvision's
// maskrcnn_resnet50_fpn (the parity fixture's spec); values are zeros except where a test
// marks rows.
import XCTest
import Foundation
@testable import SharedDetection
import SharedSupport

final class TorchvisionLayoutTests: XCTestCase {
    struct Spec: Decodable {
        struct Entry: Decodable { var name: String; var shape: [Int] }
        var tensors: [Entry]
    }

    static let spec: Spec? = try? JSONDecoder().decode(Spec.self, from: Data(contentsOf: TorchvisionParityTests.folder
        .appendingPathComponent("weights_spec.json")))

    /// The spec's names, shapes and order, zeros for values (`values` overrides some).
    func stateDict(_ values: [String: (Int, Int) -> Float] = [:], renamed: [String: String] = [:]) throws -> ForeignStateDict {
        let spec = try XCTUnwrap(Self.spec)
        var dict = ForeignStateDict()
        for entry in spec.tensors {
            let count = entry.shape.reduce(1, *), width = entry.shape.dropFirst().reduce(1, *)
            let fill = values[entry.name]
            let tensor = ForeignTensor(shape: entry.shape, values: fill.map { f in (0..<count).map { f($0 / width, $0 % width) } }
                                       ?? [Float](repeating: 0, count: count))
            dict.set(renamed[entry.name] ?? entry.name, tensor)
        }
        return dict
    }

    func convert(_ dict: ForeignStateDict) throws -> (config: DetectorConfig, weights: [String: ForeignTensor], notes: [String]) {
        try TorchvisionLayout.convert(dict, file: "model.pth", base: try PresetFiles.load("r50-fpn"))
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch let error as ToolError { return error.message } catch { return "\(error)" }
    }

    func testEveryKeyMapsAndClassRowsMove() throws {
        let row: (Int, Int) -> Float = { row, _ in Float(row) }
        let dict = try stateDict(["roi_heads.box_predictor.cls_score.bias": row, "roi_heads.box_predictor.bbox_pred.bias": row,
                                  "roi_heads.mask_predictor.mask_fcn_logits.bias": row, "roi_heads.box_predictor.cls_score.weight": row])
        let (config, weights, notes) = try convert(dict)
        XCTAssertEqual(config.backbone.stageBlocks, [3, 4, 6, 3])
        XCTAssertEqual(config.classCount, 90)
        XCTAssertEqual(config.validationProblems(), [])
        XCTAssertEqual([config.rpn.anchorGrid, config.rpn.test.selection, config.roiHeads.levelMapping, config.test.postProcessing],
                       [.torchvision, .torchvision, .torchvision, .torchvision])
        XCTAssertEqual(notes.first, "ResNet-50")
        XCTAssertEqual(weights["roi_heads.box_predictor.cls_score.bias"]?.values, (1...90).map(Float.init) + [0], "background last")
        XCTAssertEqual(weights["roi_heads.box_predictor.bbox_pred.bias"]?.values, (4..<364).map(Float.init), "background's deltas dropped")
        XCTAssertEqual(weights["roi_heads.mask_predictor.bias"]?.values, (1...90).map(Float.init), "background's mask dropped")
        let weight = try XCTUnwrap(weights["roi_heads.box_predictor.cls_score.weight"])
        XCTAssertEqual(weight.shape, [91, 1024])
        XCTAssertEqual([weight.values[0], weight.values[1023], weight.values[1024], weight.values[90 * 1024]], [1, 1, 2, 0])
        XCTAssertEqual(weights.count, 307, "every tensor of the state dict is one of ours")
        XCTAssertNoThrow(try ImportedDetector(config: config, categoryIDs: TorchvisionLayout.categoryIDs(classCount: 90),
                                              weights: weights, notes: notes).makeModel(source: "model.pth"))
        XCTAssertEqual(TorchvisionLayout.categoryIDs(classCount: 90).prefix(3), [1, 2, 3])
        XCTAssertEqual(TorchvisionLayout.categoryNames(classCount: 90)?.prefix(2), ["person", "bicycle"])
    }

    func testNamesBothWays() {
        let pairs = [
            ("backbone.body.conv1.weight", "backbone.stem.conv.weight"),
            ("backbone.body.bn1.running_var", "backbone.stem.norm.running_var"),
            ("backbone.body.layer3.5.conv3.weight", "backbone.res4.5.conv3.weight"),
            ("backbone.body.layer1.0.bn2.bias", "backbone.res2.0.norm2.bias"),
            ("backbone.body.layer4.0.downsample.0.weight", "backbone.res5.0.shortcut.conv.weight"),
            ("backbone.body.layer4.0.downsample.1.running_mean", "backbone.res5.0.shortcut.norm.running_mean"),
            ("backbone.fpn.inner_blocks.0.0.weight", "fpn.lateral.2.weight"),
            ("backbone.fpn.layer_blocks.3.0.bias", "fpn.output.5.bias"),
            ("rpn.head.conv.0.0.weight", "rpn.conv.weight"),
            ("rpn.head.cls_logits.bias", "rpn.objectness.bias"),
            ("rpn.head.bbox_pred.weight", "rpn.deltas.weight"),
            ("roi_heads.box_head.fc6.weight", "roi_heads.box_head.fc1.weight"),
            ("roi_heads.box_head.fc7.bias", "roi_heads.box_head.fc2.bias"),
            ("roi_heads.mask_head.3.0.weight", "roi_heads.mask_head.conv4.weight"),
            ("roi_heads.mask_predictor.conv5_mask.weight", "roi_heads.mask_head.deconv.weight"),
            ("roi_heads.mask_predictor.mask_fcn_logits.bias", "roi_heads.mask_predictor.bias"),
        ]
        for (theirs, ours) in pairs {
            XCTAssertEqual(TorchvisionLayout.ourName(torchvisionName: theirs), ours, theirs)
            XCTAssertEqual(TorchvisionLayout.torchvisionName(ourName: ours), theirs, ours)
        }
        // The names of torchvision's checkpoints before its version-2 modules.
        XCTAssertEqual(TorchvisionLayout.ourName(torchvisionName: "backbone.fpn.inner_blocks.2.weight"), "fpn.lateral.4.weight")
        XCTAssertEqual(TorchvisionLayout.ourName(torchvisionName: "rpn.head.conv.bias"), "rpn.conv.bias")
        XCTAssertEqual(TorchvisionLayout.ourName(torchvisionName: "roi_heads.mask_head.mask_fcn2.weight"), "roi_heads.mask_head.conv2.weight")
        XCTAssertNil(TorchvisionLayout.ourName(torchvisionName: "roi_heads.keypoint_head.0.weight"))
        XCTAssertNil(TorchvisionLayout.ourName(torchvisionName: "backbone.body.fc.weight"))
    }

    func testLegacyNamesLoadAndNumBatchesTrackedIsDropped() throws {
        var dict = try stateDict(renamed: ["rpn.head.conv.0.0.weight": "rpn.head.conv.weight",
                                           "roi_heads.mask_head.0.0.bias": "roi_heads.mask_head.mask_fcn1.bias",
                                           "backbone.fpn.layer_blocks.1.0.weight": "backbone.fpn.layer_blocks.1.weight"])
        dict.set("backbone.body.bn1.num_batches_tracked", ForeignTensor(shape: [], values: [0]))
        XCTAssertEqual(try convert(dict).weights.count, 307)
        XCTAssertEqual(TorchvisionLayout.legacyTorchvisionName(ourName: "fpn.output.3.weight"), "backbone.fpn.layer_blocks.1.weight")
        XCTAssertEqual(TorchvisionLayout.legacyTorchvisionName(ourName: "rpn.conv.bias"), "rpn.head.conv.bias")
        XCTAssertEqual(TorchvisionLayout.legacyTorchvisionName(ourName: "roi_heads.mask_head.conv4.weight"), "roi_heads.mask_head.mask_fcn4.weight")
        XCTAssertNil(TorchvisionLayout.legacyTorchvisionName(ourName: "roi_heads.box_head.fc1.weight"))
    }

    func testBadStateDictsNameTheKeys() throws {
        let spec = try XCTUnwrap(Self.spec)
        func without(_ name: String) throws -> ForeignStateDict {
            let full = try stateDict()
            var dict = ForeignStateDict()
            for entry in spec.tensors where entry.name != name { dict.set(entry.name, full[entry.name]!) }
            return dict
        }
        XCTAssertTrue(message { _ = try convert(try without("backbone.body.layer2.1.conv2.weight")) }
            .contains("missing: backbone.body.layer2.1.conv2.weight"))
        XCTAssertTrue(message { _ = try convert(try without("roi_heads.box_head.fc7.bias")) }
            .contains("missing: roi_heads.box_head.fc7.bias"))
        var extra = try stateDict()
        extra.set("roi_heads.keypoint_predictor.kps_score_lowres.weight", ForeignTensor(shape: [1], values: [0]))
        XCTAssertTrue(message { _ = try convert(extra) }.contains("no place in the implied model: roi_heads.keypoint_predictor.kps_score_lowres.weight"))
        var doubled = try stateDict()
        doubled.set("rpn.head.conv.weight", doubled["rpn.head.conv.0.0.weight"]!)
        XCTAssertTrue(message { _ = try convert(doubled) }.contains("no place in the implied model: rpn.head.conv.weight"),
                      "an old name beside its new one is left over")
        var misshapen = try stateDict()
        misshapen.set("roi_heads.box_head.fc7.weight", ForeignTensor(shape: [1024, 512], values: [Float](repeating: 0, count: 1024 * 512)))
        XCTAssertTrue(message { _ = try convert(misshapen) }.contains("roi_heads.box_head.fc7.weight has shape [1024, 512]; the implied model needs [1024, 1024]"))
        var anchors = try stateDict()
        anchors.set("rpn.head.cls_logits.weight", ForeignTensor(shape: [4, 256, 1, 1], values: [Float](repeating: 0, count: 1024)))
        XCTAssertTrue(message { _ = try convert(anchors) }.contains("4 anchors per location"))
        XCTAssertTrue(message { _ = try convert(ForeignStateDict()) }.contains("no ResNet stem (backbone.body.conv1.weight)"))
    }
}
