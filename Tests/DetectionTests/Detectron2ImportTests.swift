// Import of a detectron2 Mask R-CNN state dict against detectron2's own code run by
// scripts/fixtures/make_detectron2_import_fixtures.py (mask_rcnn_R_50_FPN_3x with seeded
// weights, STRIDE_IN_1X1, BGR input, on real photos): the weights are regenerated from the
// committed spec (Tests/TestValues/SeededWeights.swift), mapped by `Detectron2Layout` into our
// model built from its implied config (every convention key detectron2's), and run on the same
// pixels. Boxes within 1e-3 px, scores within 1e-4, identical classes, mask IoU >= 0.99 per
// detection, and the same box and mask AP (3 decimals) against the photos' COCO annotations and
// against pseudo ground truth from detectron2's own detections (ParityAveragePrecision.swift).
// Also the layout's refusals (missing, unexpected and misshapen keys, norms our model lacks,
// another framework's file), each naming the keys.
import Foundation
import XCTest
import SharedSupport
import SharedTensor
import SharedNN
import SharedData
import SharedMasks
import SharedEval
import TestValues
@testable import SharedDetection

final class Detectron2ImportTests: XCTestCase {
    static let folder = Fixture.folder.appendingPathComponent("import/detectron2")


    /// detectron2's state dict in its names and order.
    static func stateDict() throws -> ForeignStateDict {
        let spec = try JSONDecoder().decode([SeededWeights.Entry].self, from: Data(contentsOf: folder.appendingPathComponent("spec.json")))
        let values = SeededWeights.tensors(spec)
        var dict = ForeignStateDict()
        for entry in spec { dict.set(entry.name, ForeignTensor(shape: entry.shape, values: values[entry.name]!)) }
        return dict
    }

    static func convert(_ dict: ForeignStateDict) throws -> (config: DetectorConfig, weights: [String: ForeignTensor], notes: [String]) {
        try Detectron2Layout.convert(dict, file: "x.pkl", base: try ImportDefaults.mmdetection(classes: 80))
    }

    func testTheImpliedConfigIsDetectron2sR50FPN() throws {
        let (config, _, notes) = try Self.convert(try Self.stateDict())
        XCTAssertEqual(config.backbone.stageBlocks, [3, 4, 6, 3])
        XCTAssertEqual(config.backbone.norm, .frozenBatchNorm)
        XCTAssertEqual(config.backbone.strideInFirstConv, true)
        XCTAssertEqual(config.roiHeads.numClasses, 80)
        XCTAssertEqual(config.input.pixelMean, [123.675, 116.28, 103.53])
        XCTAssertEqual(config.input.pixelStd, [1, 1, 1])
        XCTAssertEqual(config.rpn.test.selection, .detectron2)
        XCTAssertEqual(config.roiHeads.levelMapping, .detectron2)
        XCTAssertEqual(config.test.postProcessing, .detectron2)
        XCTAssertEqual(config.rpn.coder.convention, .torchvision)
        XCTAssertEqual(config.roiHeads.boxHead.coder.convention, .torchvision)
        XCTAssertNil(config.rpn.anchorGrid)
        XCTAssertEqual([config.test.scoreThreshold, config.test.nmsIoU], [0.05, 0.5])
        XCTAssertEqual(config.test.maxDetectionsPerImage, 100)
        XCTAssertTrue(notes.contains("stride in the 1x1 conv"), "\(notes)")
    }

    func testDetectionsMatchDetectron2OnRealPhotos() throws {
        let (config, weights, notes) = try Self.convert(try Self.stateDict())
        let categoryIDs = try XCTUnwrap(ImportCategories.knownIDs(classes: 80))
        let imported = ImportedDetector(config: try config.resolved(numClasses: 80), categoryIDs: categoryIDs, weights: weights, notes: notes)
        let references = try JSONDecoder().decode([ParityReference].self, from: Data(contentsOf: Self.folder.appendingPathComponent("reference.json")))
        XCTAssertEqual(references.count, 3)
        // The resized pixels are the mmdetection fixture's (the same photos, the same resize).
        let (results, worst, counts) = try ImportParityRun.compare(imported, references: references,
                                                                   images: Fixture.folder.appendingPathComponent("import/mmdet/images"), source: "spec.json")
        print("Detectron2ImportTests: detections per image \(counts), max box difference \(worst.box) px, max score difference "
              + "\(worst.score), min mask IoU \(worst.iou)")
        // The same box and mask AP as detectron2's results (the same detections, from the reference).
        let theirResults: [[String: Any]] = references.flatMap { image in
            image.detections.map { d -> [String: Any] in
                ["image_id": image.image_id, "category_id": d.category_id, "bbox": [d.box[0], d.box[1], d.box[2] - d.box[0], d.box[3] - d.box[1]],
                 "score": d.score, "segmentation": ["size": d.segmentation.size, "counts": d.segmentation.counts]]
            }
        }
        try ParityAveragePrecision.assertSameAP(ours: results, reference: theirResults, label: "detectron2")
    }

    func testMissingUnexpectedAndMisshapenKeysAreNamed() throws {
        let dict = try Self.stateDict()
        func refusal(_ edit: (inout ForeignStateDict) -> Void) -> ToolError? {
            var copy = dict
            edit(&copy)
            do { _ = try Self.convert(copy) } catch { return error as? ToolError }
            XCTFail("accepted")
            return nil
        }
        func without(_ removed: String) -> ForeignStateDict {
            var lacking = ForeignStateDict()
            for name in dict.names where name != removed { lacking.set(name, dict[name]!) }
            return lacking
        }
        XCTAssertThrowsError(try Self.convert(without("roi_heads.box_head.fc2.bias"))) {
            XCTAssertTrue(($0 as? ToolError)?.message.contains("roi_heads.box_head.fc2.bias") == true, "\($0)")
        }
        XCTAssertThrowsError(try Self.convert(without("backbone.bottom_up.res3.0.conv2.norm.running_var"))) {
            XCTAssertTrue(($0 as? ToolError)?.message.contains("backbone.bottom_up.res3.0.conv2.norm.running_var") == true, "\($0)")
        }
        let extra = refusal { $0.set("roi_heads.keypoint_head.conv_fcn1.weight", ForeignTensor(shape: [2], values: [0, 0])) }
        XCTAssertTrue(extra?.message.contains("roi_heads.keypoint_head.conv_fcn1.weight") == true, "\(String(describing: extra))")
        let shape = refusal {
            $0.set("proposal_generator.rpn_head.objectness_logits.weight", ForeignTensor(shape: [6, 256, 1, 1], values: [Float](repeating: 0, count: 1536)))
        }
        XCTAssertTrue(shape?.message.contains("proposal_generator.rpn_head.objectness_logits.weight has shape [6, 256, 1, 1]") == true,
                      "\(String(describing: shape))")
        let norm = refusal {
            $0.set("backbone.fpn_lateral2.norm.weight", ForeignTensor(shape: [256], values: [Float](repeating: 1, count: 256)))
        }
        XCTAssertTrue(norm?.message.contains("backbone.fpn_lateral2.norm.weight") == true, "\(String(describing: norm))")
        let pixels = refusal { $0.set("pixel_mean", ForeignTensor(shape: [3, 1, 1], values: [1, 2, 3])) }
        XCTAssertTrue(pixels?.message.contains("pixel_mean") == true, "\(String(describing: pixels))")
    }

    /// A GroupNorm ResNet (weight and bias only): GroupNorm with detectron2's 32 groups and the
    /// stride in the 3x3 (its GN configs); older files' pixel_mean / pixel_std set the input.
    func testGroupNormBackboneAndStoredNormalisation() throws {
        let dict = try Self.stateDict()
        var gn = ForeignStateDict()
        for name in dict.names where !(name.hasSuffix(".running_mean") || name.hasSuffix(".running_var")) { gn.set(name, dict[name]!) }
        gn.set("pixel_mean", ForeignTensor(shape: [3, 1, 1], values: [103.53, 116.28, 123.675]))
        gn.set("pixel_std", ForeignTensor(shape: [3, 1, 1], values: [57.375, 57.12, 58.395]))
        gn.set("proposal_generator.anchor_generator.cell_anchors.0", ForeignTensor(shape: [3, 4], values: [Float](repeating: 0, count: 12)))
        let (config, weights, _) = try Self.convert(gn)
        XCTAssertEqual(config.backbone.norm, .groupNorm)
        XCTAssertEqual(config.backbone.groups, 32)
        XCTAssertEqual(config.backbone.strideInFirstConv, false)
        XCTAssertEqual(config.input.pixelStd.map { Float($0) }, [58.395, 57.12, 57.375])
        XCTAssertEqual(config.input.pixelMean.map { Float($0) }, [123.675, 116.28, 103.53])
        XCTAssertNil(weights["backbone.stem.norm.running_mean"])
        let imported = ImportedDetector(config: try config.resolved(numClasses: 80), categoryIDs: ImportCategories.cocoIDs, weights: weights, notes: [])
        XCTAssertNoThrow(try imported.makeModel(source: "gn"))
    }

    func testTheStemIsFlippedToRGB() throws {
        let dict = try Self.stateDict()
        let (_, weights, _) = try Self.convert(dict)
        let theirs = try XCTUnwrap(dict["backbone.bottom_up.stem.conv1.weight"]), ours = try XCTUnwrap(weights["backbone.stem.conv.weight"])
        XCTAssertEqual(ours.shape, theirs.shape)
        // Output 0, input channel c of ours = input channel 2 - c of theirs (49 values each).
        for c in 0..<3 { XCTAssertEqual(Array(ours.values[(c * 49)..<(c * 49 + 49)]), Array(theirs.values[((2 - c) * 49)..<((2 - c) * 49 + 49)])) }
    }

    func testOtherFrameworksFilesAreRecognised() throws {
        var mmdet = ForeignStateDict()
        mmdet.set("backbone.conv1.weight", ForeignTensor(shape: [1], values: [0]))
        XCTAssertThrowsError(try Detectron2Layout.classCount(mmdet, file: "m.pth")) {
            XCTAssertTrue(($0 as? ToolError)?.hint?.contains("--format mmdet") == true, "\($0)")
        }
        var torchvision = ForeignStateDict()
        torchvision.set("backbone.body.conv1.weight", ForeignTensor(shape: [64, 3, 7, 7], values: [Float](repeating: 0, count: 9408)))
        torchvision.set("roi_heads.box_predictor.cls_score.weight", ForeignTensor(shape: [3, 2], values: [Float](repeating: 0, count: 6)))
        XCTAssertThrowsError(try Self.convert(torchvision)) {
            XCTAssertTrue(($0 as? ToolError)?.hint?.contains("--format torchvision") == true, "\($0)")
        }
    }
}
