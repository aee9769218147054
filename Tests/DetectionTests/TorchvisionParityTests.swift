// The torchvision import, end to end: torchvision's own maskrcnn_resnet50_fpn with seeded
// weights ran on 4 COCO photos (scripts/fixtures/make_torchvision_import_fixtures.py, through
// scripts/fixtures/torchvision_cpu_shim.py); here the same weights are regenerated from the
// committed spec, mapped by `TorchvisionLayout` into our model built from its implied config
// (every convention key torchvision), and run on the same pixels. Same detections: count,
// classes, boxes within 1e-3 px (original pixels), scores within 1e-4, mask IoU >= 0.99, and
// the same box and mask AP (3 decimals; ParityAveragePrecision.swift).
import XCTest
import Foundation
@testable import SharedDetection
import SharedSupport
@_spi(Kernels) import SharedTensor
import SharedNN
import SharedData
import SharedMasks
import TestValues

final class TorchvisionParityTests: XCTestCase {
    static let folder = Fixture.folder.appendingPathComponent("import/torchvision")

    struct Spec: Decodable { var tensors: [SeededWeights.Entry] }
    struct Size: Decodable { var height: Int; var width: Int }
    struct Mask: Decodable { var size: [Int]; var counts: String }
    struct Detection: Decodable { var box: [Float]; var score: Float; var label: Int; var `class`: Int; var mask: Mask }
    struct Image: Decodable {
        var file: String
        var originalSize: Size
        var inputSize: Size
        var detections: [Detection]
    }
    struct Outputs: Decodable { var images: [Image] }

    /// torchvision's state dict in its names and order, regenerated from the spec.
    static func stateDict() throws -> ForeignStateDict {
        let spec = try JSONDecoder().decode(Spec.self, from: Data(contentsOf: folder.appendingPathComponent("weights_spec.json")))
        var dict = ForeignStateDict()
        for entry in spec.tensors {
            let values = SeededWeights.values(name: entry.name, count: entry.shape.reduce(1, *), offset: entry.offset, scale: entry.scale)
            dict.set(entry.name, ForeignTensor(shape: entry.shape, values: values))
        }
        return dict
    }

    func seconds(_ from: Date, _ to: Date) -> String { String(format: "%.1f", to.timeIntervalSince(from)) }

    func testTorchvisionMaskRCNNMatchesTorchvision() throws {
        let started = Date()
        let tensors = try Self.stateDict()
        let generated = Date()
        let (config, weights, notes) = try TorchvisionLayout.convert(tensors, file: "weights_spec.json", base: try PresetFiles.load("r50-fpn"))
        XCTAssertEqual(config.backbone.stageBlocks, [3, 4, 6, 3])
        XCTAssertEqual(config.classCount, 90)
        XCTAssertEqual(notes.first, "ResNet-50")
        let imported = ImportedDetector(config: config, categoryIDs: TorchvisionLayout.categoryIDs(classCount: 90),
                                        categoryNames: TorchvisionLayout.categoryNames(classCount: 90), weights: weights, notes: notes)
        let (model, store) = try imported.makeModel(source: "weights_spec.json")
        let settings = InferenceSettings(config: config)
        let context = ModuleContext(store: store, compute: try Compute.load(threads: 2))
        let outputs = try JSONDecoder().decode(Outputs.self, from: Data(contentsOf: Self.folder.appendingPathComponent("outputs.json")))
        XCTAssertEqual(outputs.images.count, 4)
        let loaded = Date()
        var maxBox: Float = 0, maxScore: Float = 0, minIoU = 1.0, counts: [Int] = []
        var ourResults: [[String: Any]] = [], theirResults: [[String: Any]] = []
        func cocoResult(image: Int, category: Int, box: [Float], score: Float, mask: RLE) -> [String: Any] {
            ["image_id": image, "category_id": category, "bbox": [box[0], box[1], box[2] - box[0], box[3] - box[1]].map(Double.init),
             "score": Double(score), "segmentation": ["size": [mask.height, mask.width], "counts": mask.compressedString]]
        }
        for expected in outputs.images {
            let imageID = try XCTUnwrap(Int(expected.file.prefix { $0 != "." }), expected.file)
            let png = try [UInt8](Data(contentsOf: Self.folder.appendingPathComponent(expected.file)))
            let image = try PNGCodec.decode(png)
            XCTAssertEqual([image.height, image.width], [expected.inputSize.height, expected.inputSize.width])
            let paddedH = (image.height + 31) / 32 * 32, paddedW = (image.width + 31) / 32 * 32
            let batch = Tensor(shape: [1, 3, paddedH, paddedW])
            ResizeNormalize.write(image, width: image.width, height: image.height, flip: false,
                                  mean: config.input.pixelMean.map(Float.init), std: config.input.pixelStd.map(Float.init),
                                  into: batch.data, planeWidth: paddedW, planeHeight: paddedH)
            let info = InputImageInfo(inputSize: ImageSize(width: image.width, height: image.height),
                                      originalSize: ImageSize(width: expected.originalSize.width, height: expected.originalSize.height))
            let result = model.detect(batch, info: [info], settings: settings, context: context)[0]
            let d = result.detections
            counts.append(d.count)
            XCTAssertEqual(d.count, expected.detections.count, "\(expected.file): number of detections")
            XCTAssertEqual(d.classes, expected.detections.map(\.class), "\(expected.file): classes")
            for (k, want) in expected.detections.enumerated() where k < d.count {
                let box = d.boxes[k]
                for (got, wanted) in zip([box.x1, box.y1, box.x2, box.y2], want.box) {
                    maxBox = max(maxBox, abs(got - wanted))
                }
                maxScore = max(maxScore, abs(d.scores[k] - want.score))
                let truth = RLE(compressedString: want.mask.counts, height: want.mask.size[0], width: want.mask.size[1])
                let ours = result.masks[k].rle()
                let iou = maskIoU(ours, truth, isCrowd: false)
                minIoU = min(minIoU, truth.area == 0 && ours.area == 0 ? 1 : iou)
            }
            for want in expected.detections {
                let mask = RLE(compressedString: want.mask.counts, height: want.mask.size[0], width: want.mask.size[1])
                theirResults.append(cocoResult(image: imageID, category: want.label, box: want.box, score: want.score, mask: mask))
            }
            for k in 0..<d.count {
                let box = d.boxes[k]
                ourResults.append(cocoResult(image: imageID, category: imported.categoryIDs[d.classes[k]], box: [box.x1, box.y1, box.x2, box.y2],
                                             score: d.scores[k], mask: result.masks[k].rle()))
            }
        }
        print("torchvision parity: detections per image \(counts), max box difference \(maxBox) px, max score difference "
              + "\(maxScore), min mask IoU \(minIoU); \(seconds(started, generated)) s to make the weights, \(seconds(generated, loaded)) s to "
              + "map and load them, \(seconds(loaded, Date())) s to detect")
        XCTAssertLessThanOrEqual(maxBox, 1e-3, "boxes (original pixels)")
        XCTAssertLessThanOrEqual(maxScore, 1e-4, "scores")
        XCTAssertGreaterThanOrEqual(minIoU, 0.99, "mask IoU")
        // The same box and mask AP as torchvision's detections (labels are COCO category ids).
        try ParityAveragePrecision.assertSameAP(ours: ourResults, reference: theirResults, label: "torchvision")
    }
}
