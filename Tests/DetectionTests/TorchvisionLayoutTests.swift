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

    func stateDict() throws -> [String: ForeignTensorValues] {
        let spec = try XCTUnwrap(Self.spec)
        return Dictionary(uniqueKeysWithValues: spec.tensors.map {
            ($0.name, ForeignTensorValues(shape: $0.shape, values: [Float](repeating: 0, count: $0.shape.reduce(1, *))))
        })
    }

    func config(_ tensors: [String: ForeignTensorValues]) throws -> DetectorConfig {
        TorchvisionLayout.impliedConfig(base: try PresetFiles.load("r50-fpn"), architecture: try TorchvisionLayout.architecture(of: tensors))
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch let error as ToolError { return error.message } catch { return "\(error)" }
    }

    func testEveryKeyMapsAndClassRowsMove() throws {
        var tensors = try stateDict()
        XCTAssertEqual(try TorchvisionLayout.architecture(of: tensors), .init(stageBlocks: [3, 4, 6, 3], classCount: 90))
        // Rows marked with their torchvision index.
        func marked(_ name: String) {
            let shape = tensors[name]!.shape, width = shape.dropFirst().reduce(1, *)
            tensors[name] = ForeignTensorValues(shape: shape, values: (0..<(shape[0] * width)).map { Float($0 / width) })
        }
        for name in ["roi_heads.box_predictor.cls_score.bias", "roi_heads.box_predictor.bbox_pred.bias",
                     "roi_heads.mask_predictor.mask_fcn_logits.bias", "roi_heads.box_predictor.cls_score.weight"] { marked(name) }
        let values = try TorchvisionLayout.parameters(from: tensors, config: try config(tensors))
        XCTAssertEqual(values["roi_heads.box_predictor.cls_score.bias"], (1...90).map(Float.init) + [0], "background last")
        XCTAssertEqual(values["roi_heads.box_predictor.bbox_pred.bias"], (4..<364).map(Float.init), "background's deltas dropped")
        XCTAssertEqual(values["roi_heads.mask_predictor.bias"], (1...90).map(Float.init), "background's mask dropped")
        let weight = try XCTUnwrap(values["roi_heads.box_predictor.cls_score.weight"])
        XCTAssertEqual(weight.count, 91 * 1024)
        XCTAssertEqual([weight[0], weight[1023], weight[1024], weight[90 * 1024]], [1, 1, 2, 0])
        XCTAssertEqual(values.count, 307 - 0, "every tensor of the state dict is one of ours")
        XCTAssertEqual(TorchvisionLayout.categoryIDs(classCount: 90).prefix(3), [1, 2, 3])
        XCTAssertEqual(TorchvisionLayout.cocoLabelNames.count, 91)
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
        var tensors = try stateDict()
        for (new, old) in [("rpn.head.conv.0.0.weight", "rpn.head.conv.weight"), ("roi_heads.mask_head.0.0.bias", "roi_heads.mask_head.mask_fcn1.bias"),
                           ("backbone.fpn.layer_blocks.1.0.weight", "backbone.fpn.layer_blocks.1.weight")] {
            tensors[old] = tensors.removeValue(forKey: new)
        }
        tensors["backbone.body.bn1.num_batches_tracked"] = ForeignTensorValues(shape: [], values: [0])
        XCTAssertEqual(try TorchvisionLayout.parameters(from: tensors, config: try config(tensors)).count, 307)
    }

    func testBadStateDictsNameEveryKey() throws {
        let good = try stateDict()
        let config = try config(good)
        var tensors = good
        tensors["backbone.body.layer2.1.conv2.weight"] = nil
        tensors["roi_heads.keypoint_predictor.kps_score_lowres.weight"] = ForeignTensorValues(shape: [1], values: [0])
        tensors["rpn.head.cls_logits.weight"] = ForeignTensorValues(shape: [9, 256, 1, 1], values: [Float](repeating: 0, count: 9 * 256))
        tensors["rpn.head.conv.weight"] = good["rpn.head.conv.0.0.weight"]
        let text = message { _ = try TorchvisionLayout.parameters(from: tensors, config: config) }
        XCTAssertTrue(text.contains("missing keys: backbone.body.layer2.1.conv2.weight (for backbone.res3.1.conv2.weight)"), text)
        XCTAssertTrue(text.contains("unexpected keys: roi_heads.keypoint_predictor.kps_score_lowres.weight"), text)
        XCTAssertTrue(text.contains("keys given twice (old and new names): rpn.head.conv.0.0.weight and rpn.head.conv.weight"), text)
        XCTAssertTrue(text.contains("rpn.head.cls_logits.weight has shape [9, 256, 1, 1], the config's model needs [3, 256, 1, 1]"), text)
        // A model with other classes: the class rows are checked against the config.
        var other = config
        other.roiHeads.numClasses = 80
        let classes = message { _ = try TorchvisionLayout.parameters(from: good, config: other) }
        XCTAssertTrue(classes.contains("roi_heads.box_predictor.cls_score.weight has shape [91, 1024], the config's model needs [81, 1024]"), classes)
        XCTAssertTrue(message { _ = try TorchvisionLayout.architecture(of: [:]) }.contains("not a torchvision ResNet-FPN"))
    }
}
