// detectron2's conventions one by one, where its arithmetic is its own (the values follow
// detectron2/modeling/poolers.py, proposal_generator/proposal_utils.py, roi_heads/fast_rcnn.py,
// structures/boxes.py; the whole model against detectron2's code is Detectron2ImportTests):
// the level rule's 1e-8 inside the log, the RPN's strict `nonempty` filter and logit ranking,
// class-grouped NMS without a size filter; `backbone.strideInFirstConv`; the config keys
// (optional, refused where detectron2 equals another convention) and `detectron2Settings`.
import XCTest
import Foundation
@testable import SharedDetection
import SharedSupport
import SharedNN

final class Detectron2ConventionTests: XCTestCase {
    func testLevelRuleDiffersFromTorchvisionsOnlyNextToABoundary() {
        let detectron2 = RoILevelRule.detectron2(canonicalSize: 224, canonicalLevel: 4, finestLevel: 2)
        let torchvision = RoILevelRule.torchvision(canonicalSize: 224, canonicalLevel: 4, finestLevel: 2)
        let mmdetection = RoILevelRule.mmdetection(finestScale: 56)
        // sqrt(wh) / 224 = 0.99999955: torchvision's + 1e-6 after the log lifts it to P4,
        // detectron2's + 1e-8 inside the log does not (numpy float32: 3.0 vs 4.0).
        let side: Float = 223.9999
        XCTAssertEqual(detectron2.level(x1: 0, y1: 0, x2: side, y2: side, levelCount: 4), 1)
        XCTAssertEqual(torchvision.level(x1: 0, y1: 0, x2: side, y2: side, levelCount: 4), 2)
        XCTAssertEqual(mmdetection.level(x1: 0, y1: 0, x2: side, y2: side, levelCount: 4), 1)
        // Away from boundaries the three agree; clamped at both ends; an empty box reads P2.
        for (s, level) in [(20, 0), (100, 0), (150, 1), (300, 2), (500, 3), (2000, 3)] as [(Float, Int)] {
            for rule in [detectron2, torchvision, mmdetection] {
                XCTAssertEqual(rule.level(x1: 10, y1: 10, x2: 10 + s, y2: 10 + s, levelCount: 4), level, "\(rule) side \(s)")
            }
        }
        XCTAssertEqual(detectron2.level(x1: 5, y1: 5, x2: 5, y2: 9, levelCount: 4), 0)
        XCTAssertEqual(detectron2.finestScale, 56)
    }

    func testProposalsDropClippedEmptyBoxesAndKeepLogits() {
        // Three anchors on one level: one inside, one left of the image (clipped to zero
        // width), one whose decoded box is 0.0005 px wide.
        let anchors = [Box(x1: 10, y1: 10, x2: 30, y2: 30), Box(x1: -40, y1: 10, x2: -20, y2: 30), Box(x1: 50, y1: 50, x2: 50.0005, y2: 60)]
        let level = RPNLevelOutput(anchors: anchors, scores: [2.5, 3.0, -1.0], deltas: Array(repeating: BoxDelta(dx: 0, dy: 0, dw: 0, dh: 0), count: 3))
        let coder = DeltaXYWHBoxCoder(torchvisionWeights: (1, 1, 1, 1))
        func proposals(_ selection: DetectionConvention, minimumSize: Double) -> Proposals {
            let config = ProposalConfig(preNMSTopK: 10, postNMSTopK: 10, nmsIoU: 0.7, minimumSize: minimumSize, selection: selection)
            return ProposalGenerator(config: config, coder: coder).proposals(levels: [level], imageSize: ImageSize(width: 100, height: 100))
        }
        let d2 = proposals(.detectron2, minimumSize: 0)
        XCTAssertEqual(d2.scores, [2.5, -1.0], "the zero-width box goes (nonempty is strict); scores stay logits")
        XCTAssertEqual(d2.boxes.first, anchors[0])
        let tv = proposals(.torchvision, minimumSize: 0)
        XCTAssertEqual(tv.scores.count, 3, "torchvision keeps a zero-width box at minimumSize 0 (w >= 0)")
        XCTAssertEqual(tv.scores[0], 1 / (1 + Foundation.exp(-3)), accuracy: 1e-7)
        XCTAssertEqual(proposals(.detectron2, minimumSize: 0.001).scores, [2.5], "MIN_SIZE: both sides > it")
    }

    func testDetectionsGroupByClassWithoutASizeFilter() {
        // Two RoIs, two classes (+ background last); RoI 1 is 0.005 px wide.
        let scores: [Float] = [0.6, 0.3, 0.1, 0.7, 0.2, 0.1]
        let boxes = [Box(x1: 0, y1: 0, x2: 10, y2: 10), Box(x1: 0, y1: 0, x2: 10, y2: 10),
                     Box(x1: 1, y1: 1, x2: 1.005, y2: 11), Box(x1: 1, y1: 1, x2: 1.005, y2: 11)]
        let d2 = MultiClassNMS(scoreThreshold: 0.05, iouThreshold: 0.5, maxDetections: 10, method: .detectron2)
            .detections(scores: scores, classSpecificBoxes: boxes, classCount: 2)
        XCTAssertEqual(d2.scores, [0.7, 0.6, 0.3, 0.2])
        XCTAssertEqual(d2.classes, [0, 0, 1, 1])
        let tv = MultiClassNMS(scoreThreshold: 0.05, iouThreshold: 0.5, maxDetections: 10, method: .torchvision)
            .detections(scores: scores, classSpecificBoxes: boxes, classCount: 2)
        XCTAssertEqual(tv.scores, [0.6, 0.3], "torchvision drops sides < 0.01 px")
    }

    func testStrideInFirstConvMovesTheStrideNotTheShapes() {
        func block(_ first: Bool) -> ResidualBlock {
            var layout = ParameterLayout()
            return ResidualBlock("b", kind: .bottleneck, inChannels: 16, outChannels: 32, stride: 2, norm: .frozenBatchNorm, groups: 1,
                                 strideInFirstConv: first, layout: &layout, frozen: true)
        }
        XCTAssertEqual(block(true).units.map(\.conv.shape.stride), [2, 1, 1])
        XCTAssertEqual(block(false).units.map(\.conv.shape.stride), [1, 2, 1])
        XCTAssertEqual(block(true).units.map(\.conv.shape.kernelH), block(false).units.map(\.conv.shape.kernelH))
        XCTAssertEqual(block(true).shortcut?.conv.shape.stride, 2)
    }

    func testKeysAreOptionalAndRefusedWhereDetectron2EqualsAnother() throws {
        let smoke = try PresetFiles.load("smoke")
        XCTAssertNil(smoke.backbone.strideInFirstConv)
        let text = String(decoding: try smoke.encoded(), as: UTF8.self)
        XCTAssertFalse(text.contains("detectron2") || text.contains("strideInFirstConv"), "absent keys stay absent")
        var config = smoke
        config.rpn.anchorGrid = .detectron2
        config.rpn.coder.convention = .detectron2
        config.roiHeads.boxHead.coder.convention = .detectron2
        config.backbone.block = .basic
        config.backbone.strideInFirstConv = true
        XCTAssertEqual(config.validationProblems(), [
            "backbone.strideInFirstConv = true needs Bottleneck blocks (a BasicBlock has no 1x1 conv), got BasicBlock",
            "rpn.coder.convention cannot be \"detectron2\": detectron2's arithmetic there is \"torchvision\"; use that value",
            "rpn.anchorGrid cannot be \"detectron2\": detectron2's arithmetic there is \"mmdetection\"; use that value",
            "roiHeads.boxHead.coder.convention cannot be \"detectron2\": detectron2's arithmetic there is \"torchvision\"; use that value",
        ])
        let r50 = try PresetFiles.load("r50-fpn")  // Bottleneck (smoke's blocks are BasicBlocks)
        var stride = r50
        stride.backbone.strideInFirstConv = true
        XCTAssertEqual(stride.architectureDifferences(from: r50).map(\.path), ["backbone.strideInFirstConv"])
        XCTAssertEqual(try DetectorConfig.decode(stride.encoded(), file: "again.json"), stride)
    }

    func testDetectron2SettingsAreValidAndSetEveryConvention() throws {
        var config = Detectron2Layout.detectron2Settings(try PresetFiles.load("r50-fpn"), norm: .frozenBatchNorm, classes: 1203)
        config.roiHeads.numClasses = 1203
        XCTAssertEqual(config.validationProblems(), [])
        XCTAssertNil(config.rpn.anchorGrid)
        XCTAssertEqual([config.rpn.train.selection, config.rpn.test.selection], [.detectron2, .detectron2])
        XCTAssertEqual([config.rpn.coder.convention, config.roiHeads.boxHead.coder.convention], [.torchvision, .torchvision])
        XCTAssertEqual(config.roiHeads.levelMapping, .detectron2)
        XCTAssertEqual(config.test.postProcessing, .detectron2)
        XCTAssertNil(config.test.maskPaste)
        XCTAssertEqual([config.test.scoreThreshold, Double(config.test.maxDetectionsPerImage)], [1e-4, 300], "LVIS configs")
        XCTAssertEqual(config.backbone.strideInFirstConv, true)
        XCTAssertEqual(Detectron2Layout.detectron2Settings(config, norm: .groupNorm, classes: 80).backbone.strideInFirstConv, false)
        let settings = InferenceSettings(config: try config.resolved(numClasses: 1203))
        XCTAssertEqual(settings.proposals.selection, .detectron2)
        XCTAssertEqual(settings.nms.method, .detectron2)
        XCTAssertEqual(settings.boxCoder.convention, .torchvision)
        if case .detectron2 = settings.roiLevels {} else { XCTFail("detectron2's level rule") }
    }
}
