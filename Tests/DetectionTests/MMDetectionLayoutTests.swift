// mmdetection's state-dict layout on a GroupNorm model: our smoke model's parameters written
// under mmdetection 2.x's names (as scripts/export_mmdet_checkpoint.py writes them: a GN
// BasicBlock ResNet is mmdetection's `ResNet(depth=18, norm_cfg=dict(type='GN'))` at our
// widths) import back to the same config and the same values; the group count comes from the
// stored config or --config, and a file that says neither, or a neck with norms, is refused.
import XCTest
@testable import SharedDetection
import SharedSupport
import SharedNN

final class MMDetectionLayoutTests: XCTestCase {
    /// Our parameter name -> mmdetection 2.x's (the inverse of MMDetectionLayout's rules).
    static func mmdetName(_ ours: String) -> String {
        var parts = ours.split(separator: ".").map(String.init)
        let last = parts.removeLast()
        func shifted(_ text: String, by offset: Int, dropping prefix: String) -> String { String(Int(text.dropFirst(prefix.count))! + offset) }
        switch (parts[0], parts[1]) {
        case ("backbone", "stem"):
            parts = ["backbone", parts[2] == "conv" ? "conv1" : "gn1"]
        case ("backbone", _):
            let block = ["backbone", "layer" + shifted(parts[1], by: -1, dropping: "res"), parts[2]]
            switch parts[3] {
            case "shortcut": parts = block + ["downsample", parts[4] == "conv" ? "0" : "1"]
            case let unit where unit.hasPrefix("norm"): parts = block + ["gn" + unit.dropFirst(4)]
            default: parts = block + [parts[3]]
            }
        case ("fpn", let kind):
            parts = ["neck", kind == "lateral" ? "lateral_convs" : "fpn_convs", String(Int(parts[2])! - 2), "conv"]
        case ("rpn", let kind):
            parts = ["rpn_head", ["conv": "rpn_conv", "objectness": "rpn_cls", "deltas": "rpn_reg"][kind]!]
        case ("roi_heads", "box_head"):
            parts = ["roi_head", "bbox_head", "shared_fcs", shifted(parts[2], by: -1, dropping: "fc")]
        case ("roi_heads", "box_predictor"):
            parts = ["roi_head", "bbox_head", parts[2] == "cls_score" ? "fc_cls" : "fc_reg"]
        case ("roi_heads", "mask_head"):
            parts = parts[2] == "deconv" ? ["roi_head", "mask_head", "upsample"]
                : ["roi_head", "mask_head", "convs", shifted(parts[2], by: -1, dropping: "conv"), "conv"]
        default:
            parts = ["roi_head", "mask_head", "conv_logits"]
        }
        return (parts + [last]).joined(separator: ".")
    }

    /// The smoke model (GroupNorm(4) BasicBlock ResNet) with seeded values, under mmdetection's names.
    func smokeAsMMDetection() throws -> (config: DetectorConfig, store: ParameterStore, dict: ForeignStateDict) {
        let config = try ModelTestSupport.smokeConfig(classes: 3)
        var random = SeededRandom(seed: 7)
        let (_, store) = MaskRCNN.make(config: config, random: &random)
        var dict = ForeignStateDict()
        for parameter in store.parameters {
            dict.set(Self.mmdetName(parameter.name), ForeignTensor(shape: parameter.shape, values: store.value(parameter).toArray()))
        }
        return (config, store, dict)
    }

    static let metaText = "model = dict(type='MaskRCNN', backbone=dict(type='ResNet', depth=18, "
        + "norm_cfg=dict(type='GN', num_groups=4, requires_grad=True)), "
        + "roi_head=dict(mask_head=dict(type='FCNNormMaskHead', num_classes=3)))"

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch let error as ToolError { return error.message + " " + (error.hint ?? "") } catch { return "\(error)" }
    }

    func testAGroupNormModelImportsBackToTheSameConfigAndValues() throws {
        let (config, store, dict) = try smokeAsMMDetection()
        XCTAssertNotNil(dict["backbone.layer2.0.downsample.1.weight"])
        XCTAssertNotNil(dict["backbone.layer1.0.gn2.bias"])
        let base = try ImportDefaults.mmdetection(classes: 3)
        XCTAssertEqual(base.backbone.norm, .frozenBatchNorm, "the defaults say frozen BN: the weights decide")
        let (imported, weights, notes) = try MMDetectionLayout.convert(dict, file: "gn.pth", base: base, metaConfigText: Self.metaText,
                                                                       maskClassifier: nil)
        XCTAssertEqual(imported.backbone.norm, .groupNorm)
        XCTAssertEqual(imported.backbone.groups, 4)
        XCTAssertEqual(imported.backbone.block, config.backbone.block)
        XCTAssertEqual(imported.backbone.stageBlocks, config.backbone.stageBlocks)
        XCTAssertEqual(imported.backbone.stemWidth, config.backbone.stemWidth)
        XCTAssertEqual(imported.backbone.stageWidths, config.backbone.stageWidths)
        XCTAssertEqual(imported.fpn.channels, config.fpn.channels)
        XCTAssertEqual(imported.roiHeads.boxHead.fcDim, config.roiHeads.boxHead.fcDim)
        XCTAssertEqual(imported.roiHeads.maskHead.convCount, config.roiHeads.maskHead.convCount)
        XCTAssertEqual(imported.roiHeads.maskHead.convDim, config.roiHeads.maskHead.convDim)
        XCTAssertEqual(imported.roiHeads.maskHead.classifier, .normed)
        XCTAssertTrue(notes.contains("GroupNorm(4)"), "\(notes)")
        XCTAssertEqual(weights.count, store.parameters.count)
        for parameter in store.parameters {
            XCTAssertEqual(weights[parameter.name]?.values, store.value(parameter).toArray(), parameter.name)
        }
        // The imported weights build the model (every parameter, every shape).
        XCTAssertNoThrow(try ImportedDetector(config: try imported.resolved(numClasses: 3), categoryIDs: [1, 2, 3], weights: weights,
                                              notes: notes).makeModel(source: "gn.pth"))
    }

    func testTheGroupCountComesFromTheStoredConfigElseFromConfig() throws {
        let (_, _, dict) = try smokeAsMMDetection()
        let defaults = try ImportDefaults.mmdetection(classes: 3)
        // Neither says: refused, naming what to pass.
        let refused = message {
            _ = try MMDetectionLayout.convert(dict, file: "gn.pth", base: defaults, metaConfigText: nil, maskClassifier: .normed)
        }
        XCTAssertTrue(refused.contains("GroupNorm") && refused.contains("groups") && refused.contains("--config"), refused)
        // --config's GroupNorm groups.
        var base = defaults
        base.backbone.norm = .groupNorm
        base.backbone.groups = 2
        let fromConfig = try MMDetectionLayout.convert(dict, file: "gn.pth", base: base, metaConfigText: nil, maskClassifier: .normed)
        XCTAssertEqual(fromConfig.config.backbone.groups, 2)
        // The stored config wins over --config's.
        let fromMeta = try MMDetectionLayout.convert(dict, file: "gn.pth", base: base, metaConfigText: Self.metaText, maskClassifier: nil)
        XCTAssertEqual(fromMeta.config.backbone.groups, 4)
        XCTAssertEqual(MMDetectionLayout.groupNormGroupsInMeta("neck=dict(num_groups=16), backbone=dict(norm_cfg=dict(type='GN', num_groups=32))"), 32)
        XCTAssertNil(MMDetectionLayout.groupNormGroupsInMeta("backbone=dict(type='ResNet', norm_cfg=dict(type='BN'))"))
    }

    func testANeckWithNormsAndAGroupNormTorchvisionFileAreRefused() throws {
        var (_, _, dict) = try smokeAsMMDetection()
        let channels = try XCTUnwrap(dict["neck.lateral_convs.0.conv.weight"]).shape[0]
        dict.set("neck.lateral_convs.0.gn.weight", ForeignTensor(shape: [channels], values: [Float](repeating: 1, count: channels)))
        let neck = message {
            _ = try MMDetectionLayout.convert(dict, file: "gn.pth", base: try ImportDefaults.mmdetection(classes: 3),
                                              metaConfigText: Self.metaText, maskClassifier: nil)
        }
        XCTAssertTrue(neck.contains("neck.lateral_convs.0.gn.weight"), neck)
        // The same backbone under torchvision's prefix is not torchvision's model.
        var renamed = ForeignStateDict()
        for name in dict.names where name.hasPrefix("backbone.") {
            renamed.set("backbone.body." + name.dropFirst("backbone.".count), dict[name]!)
        }
        let torchvision = message {
            _ = try TorchvisionLayout.convert(renamed, file: "gn.pth", base: try ImportDefaults.mmdetection(classes: 3))
        }
        XCTAssertTrue(torchvision.contains("GroupNorm") && torchvision.contains("--format"), torchvision)
    }

    func testClassAgnosticPredictorsAreRepeatedPerClass() throws {
        var (_, _, dict) = try smokeAsMMDetection()
        // mmdetection's reg_class_agnostic / class_agnostic mask head: 4 regression rows, 1 mask channel.
        for (name, rows) in [("roi_head.bbox_head.fc_reg", 4), ("roi_head.mask_head.conv_logits", 1)] {
            for part in ["weight", "bias"] {
                let tensor = try XCTUnwrap(dict["\(name).\(part)"])
                let width = tensor.values.count / tensor.shape[0]
                dict.set("\(name).\(part)", ForeignTensor(shape: [rows] + tensor.shape.dropFirst(), values: Array(tensor.values.prefix(rows * width))))
            }
        }
        let (_, weights, notes) = try MMDetectionLayout.convert(dict, file: "gn.pth", base: try ImportDefaults.mmdetection(classes: 3),
                                                                metaConfigText: Self.metaText, maskClassifier: nil)
        XCTAssertTrue(notes.contains("class-agnostic box regression repeated per class"), "\(notes)")
        XCTAssertTrue(notes.contains("class-agnostic mask logits repeated per class"), "\(notes)")
        let boxes = try XCTUnwrap(weights["roi_heads.box_predictor.bbox_pred.bias"])
        XCTAssertEqual(boxes.shape, [12])
        XCTAssertEqual(Array(boxes.values[0..<4]), Array(boxes.values[8..<12]))
        XCTAssertEqual(Array(boxes.values[0..<4]), try XCTUnwrap(dict["roi_head.bbox_head.fc_reg.bias"]).values)
        let masks = try XCTUnwrap(weights["roi_heads.mask_predictor.weight"])
        XCTAssertEqual(masks.shape.first, 3)
        let width = masks.values.count / 3
        XCTAssertEqual(Array(masks.values[0..<width]), Array(masks.values[(2 * width)...]))
    }
}
