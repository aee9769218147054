// Import of an mmdetection 2.x Mask R-CNN state dict (LOCE's layout, normed mask head) against
// the reference run of scripts/fixtures/make_mmdet_import_fixtures.py on real photos: the
// weights are regenerated from the committed spec (Tests/TestValues/SeededWeights.swift), mapped
// by `MMDetectionLayout`, and the model runs on the same resized pixels. Boxes within 1e-3 px,
// scores within 1e-4, identical classes, mask IoU >= 0.99 per detection, and the same box and
// mask AP (3 decimals) against the photos' COCO annotations and against pseudo ground truth
// from the reference's own detections (ParityAveragePrecision.swift: random weights score AP 0
// on the real annotations).
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

final class MMDetectionImportTests: XCTestCase {
    static let folder = Fixture.folder.appendingPathComponent("import/mmdet")

    struct Meta: Decodable {
        var config: String
        var CLASSES: [String]
        var category_ids: [Int]
        var integer_buffers: [String]
    }


    /// The fixture's state dict in mmdetection's names and order (int64 buffers as 0-d tensors).
    static func stateDict() throws -> (ForeignStateDict, Meta) {
        let spec = try JSONDecoder().decode([SeededWeights.Entry].self, from: Data(contentsOf: folder.appendingPathComponent("spec.json")))
        let meta = try JSONDecoder().decode(Meta.self, from: Data(contentsOf: folder.appendingPathComponent("meta.json")))
        let values = SeededWeights.tensors(spec)
        var dict = ForeignStateDict()
        for entry in spec { dict.set(entry.name, ForeignTensor(shape: entry.shape, values: values[entry.name]!)) }
        for name in meta.integer_buffers { dict.set(name, ForeignTensor(shape: [], values: [0])) }
        return (dict, meta)
    }

    static func imported() throws -> (ImportedDetector, Meta) {
        let (dict, meta) = try stateDict()
        let base = try ImportDefaults.mmdetection(classes: meta.category_ids.count)
        let converted = try MMDetectionLayout.convert(dict, file: "spec.json", base: base, metaConfigText: meta.config, maskClassifier: nil)
        var config = converted.config
        config = try config.resolved(numClasses: meta.category_ids.count)
        return (ImportedDetector(config: config, categoryIDs: meta.category_ids, weights: converted.weights, notes: converted.notes), meta)
    }

    func testSeededWeightsMatchThePythonGenerator() {
        // Values printed by scripts/fixtures/seeded_weights.py:
        // seeded_values('backbone.conv1.weight', 5, 0.1, 0.5)
        let expected: [Float] = [0x1.512b54p-3, -0x1.27501ap-2, -0x1.dc2a48p-6, -0x1.e79a04p-3, 0x1.1ab5c6p-3]
        XCTAssertEqual(SeededWeights.values(name: "backbone.conv1.weight", count: 5, offset: 0.1, scale: 0.5), expected)
    }

    func testTheImpliedConfigIsLOCEsR50FPN() throws {
        let (model, meta) = try Self.imported()
        XCTAssertEqual(model.config.backbone.stageBlocks, [3, 4, 6, 3])
        XCTAssertEqual(model.config.backbone.block, .bottleneck)
        XCTAssertEqual(model.config.backbone.norm, .frozenBatchNorm)
        XCTAssertEqual(model.config.fpn.channels, 256)
        XCTAssertEqual(model.config.roiHeads.numClasses, meta.category_ids.count)
        XCTAssertEqual(model.config.roiHeads.maskHead.classifier, .normed)
        XCTAssertEqual(model.config.test.scoreThreshold, 0.05)
        XCTAssertEqual(model.config.test.maxDetectionsPerImage, 100)
    }

    func testDetectionsMatchTheReferenceOnRealPhotos() throws {
        let (imported, _) = try Self.imported()
        let references = try JSONDecoder().decode([ParityReference].self, from: Data(contentsOf: Self.folder.appendingPathComponent("reference.json")))
        XCTAssertEqual(references.count, 3)
        let (results, worst, _) = try ImportParityRun.compare(imported, references: references, images: Self.folder.appendingPathComponent("images"),
                                                              source: "spec.json")
        print("MMDetectionImportTests: max box difference \(worst.box) px, max score difference \(worst.score), min mask IoU \(worst.iou)")
        // The same box and mask AP as the reference's results (results.json: its detections as COCO results).
        let theirResults = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("results.json")))
            as? [[String: Any]])
        try ParityAveragePrecision.assertSameAP(ours: results, reference: theirResults, label: "mmdetection")
    }

    func testMissingAndUnexpectedKeysAreNamed() throws {
        let (dict, meta) = try Self.stateDict()
        let base = try ImportDefaults.mmdetection(classes: meta.category_ids.count)
        var lacking = ForeignStateDict()
        for name in dict.names where name != "roi_head.bbox_head.shared_fcs.1.bias" { lacking.set(name, dict[name]!) }
        XCTAssertThrowsError(try MMDetectionLayout.convert(lacking, file: "x.pth", base: base, metaConfigText: meta.config, maskClassifier: nil)) {
            XCTAssertTrue(($0 as? ToolError)?.message.contains("roi_head.bbox_head.shared_fcs.1.bias") == true, "\($0)")
        }
        var extra = dict
        extra.set("roi_head.bbox_head.fc_objectness.weight", ForeignTensor(shape: [2], values: [0, 0]))
        XCTAssertThrowsError(try MMDetectionLayout.convert(extra, file: "x.pth", base: base, metaConfigText: meta.config, maskClassifier: nil)) {
            XCTAssertTrue(($0 as? ToolError)?.message.contains("fc_objectness") == true, "\($0)")
        }
        XCTAssertThrowsError(try MMDetectionLayout.convert(dict, file: "x.pth", base: base, metaConfigText: nil, maskClassifier: nil)) {
            XCTAssertTrue(($0 as? ToolError)?.hint?.contains("--mask-classifier") == true, "\($0)")
        }
        var wrongShape = dict
        wrongShape.set("rpn_head.rpn_cls.weight", ForeignTensor(shape: [6, 256, 1, 1], values: [Float](repeating: 0, count: 6 * 256)))
        XCTAssertThrowsError(try MMDetectionLayout.convert(wrongShape, file: "x.pth", base: base, metaConfigText: meta.config, maskClassifier: nil)) {
            XCTAssertTrue(($0 as? ToolError)?.message.contains("rpn_head.rpn_cls.weight has shape [6, 256, 1, 1]") == true, "\($0)")
        }
    }
}
