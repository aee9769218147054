// The whole model at test time on a smoke model: image -> detections and pasted masks, with
// the invariants of the test settings in docs/method.md §Stage 1 (threshold, cap, order,
// coordinates).
import XCTest
@testable import SharedDetection
import SharedSupport
@_spi(Kernels) import SharedTensor
import SharedNN

final class ModelInferenceTests: XCTestCase {
    typealias S = ModelTestSupport

    func testSettingsFromConfig() throws {
        let settings = InferenceSettings(config: try PresetFiles.load("r50-fpn").resolved(numClasses: 1203))
        XCTAssertEqual(settings.anchors, AnchorGenerator(strides: [4, 8, 16, 32, 64], ratios: [0.5, 1, 2], scales: [8]))
        XCTAssertEqual(settings.proposals, ProposalGenerator.testing)
        XCTAssertEqual(settings.boxCoder, DeltaXYWHBoxCoder.rcnn)
        XCTAssertEqual(settings.boxPooler, RoIAlignOptions(outputSize: 7, samplingRatio: 0, aligned: true))
        XCTAssertEqual(settings.maskPooler, RoIAlignOptions(outputSize: 14, samplingRatio: 0, aligned: true))
        XCTAssertEqual(settings.finestScale, 56)
        XCTAssertEqual(settings.nms, MultiClassNMS(scoreThreshold: 1e-4, iouThreshold: 0.5, maxDetections: 300))
        XCTAssertEqual(settings.maskThreshold, 0.5)
    }

    func testSoftmaxRows() {
        let values: [Float] = [0, 0, 1000, 1000, 1, 2]
        let p = values.withUnsafeBufferPointer { softmaxRows($0.baseAddress!, rows: 2, columns: 3) }
        XCTAssertEqual(p[0], 0, accuracy: 1e-6)
        XCTAssertEqual(p[2], 1, accuracy: 1e-6)
        let e1 = Float(exp(-999.0)), e2 = Float(exp(-998.0))
        XCTAssertEqual(p[3], 1 / (1 + e1 + e2), accuracy: 1e-6)
        XCTAssertEqual(p[3] + p[4] + p[5], 1, accuracy: 1e-6)
    }

    func testDetectReturnsRankedDetectionsWithMasksInOriginalPixels() throws {
        var config = try S.smokeConfig(classes: 4)
        config.test.maxDetectionsPerImage = 50
        var random = SeededRandom(seed: 9)
        let (model, store) = MaskRCNN.make(config: config, random: &random)
        // A classifier bias that makes foreground scores clear the threshold.
        store.value(store["roi_heads.box_predictor.cls_score.bias"]!).fillNormal(std: 1, random: &random)
        let context = ModuleContext(store: store, compute: try S.compute())
        let images = S.randomTensor([2, 3, 64, 96], random: &random)
        let info = [InputImageInfo(inputSize: ImageSize(width: 96, height: 60), originalSize: ImageSize(width: 192, height: 120)),
                    InputImageInfo(inputSize: ImageSize(width: 80, height: 64), originalSize: ImageSize(width: 80, height: 64))]
        let results = model.detect(images, info: info, settings: InferenceSettings(config: config), context: context)
        XCTAssertEqual(results.count, 2)
        for (image, result) in results.enumerated() {
            let d = result.detections
            XCTAssertGreaterThan(d.count, 0, "image \(image)")
            XCTAssertLessThanOrEqual(d.count, 50)
            XCTAssertEqual(result.masks.count, d.count)
            XCTAssertEqual(d.scores, d.scores.sorted(by: >), "by descending score")
            XCTAssertTrue(d.scores.allSatisfy { $0 > 1e-4 && $0 <= 1 })
            XCTAssertTrue(d.classes.allSatisfy { (0..<4).contains($0) })
            let size = info[image].originalSize
            for box in d.boxes {
                XCTAssertTrue(box.x1 >= 0 && box.y1 >= 0 && box.x2 <= Float(size.width) + 1e-3 && box.y2 <= Float(size.height) + 1e-3,
                              "\(box) outside \(size)")
            }
            for mask in result.masks {
                XCTAssertEqual(mask.imageSize, size)
            }
        }
        // Inference is deterministic and reuses its buffers.
        let capacity = context.buffers.capacity
        XCTAssertEqual(model.detect(images, info: info, settings: InferenceSettings(config: config), context: context), results)
        XCTAssertEqual(context.buffers.capacity, capacity)
    }
}
