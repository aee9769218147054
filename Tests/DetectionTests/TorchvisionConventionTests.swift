// Each torchvision convention against torchvision's own function on small seeded inputs
// (Fixtures/import/torchvision/conventions.json, scripts/fixtures/make_torchvision_fixtures.py):
// anchors, box coder, RoI level mapping, batched NMS (both paths), RPN proposal selection,
// box post-processing and mask pasting; and the config keys that select them.
import XCTest
import Foundation
@testable import SharedDetection
import SharedSupport
import SharedNN

final class TorchvisionConventionTests: XCTestCase {
    static let fixture: [String: Any] = {
        let url = Fixture.folder.appendingPathComponent("import/torchvision/conventions.json")
        return (try? JSONSerialization.jsonObject(with: Data(contentsOf: url))) as? [String: Any] ?? [:]
    }()

    func section(_ name: String) throws -> [String: Any] { try XCTUnwrap(Self.fixture[name] as? [String: Any], name) }
    func floats(_ value: Any?) -> [Float] { (value as? [NSNumber] ?? []).map { Float($0.doubleValue) } }
    func ints(_ value: Any?) -> [Int] { (value as? [NSNumber] ?? []).map(\.intValue) }
    func boxes(_ value: Any?) -> [Box] {
        let v = floats(value)
        return stride(from: 0, to: v.count, by: 4).map { Box(x1: v[$0], y1: v[$0 + 1], x2: v[$0 + 2], y2: v[$0 + 3]) }
    }
    func size(_ value: Any?) -> ImageSize {
        let object = value as? [String: NSNumber] ?? [:]
        return ImageSize(width: object["width"]?.intValue ?? 0, height: object["height"]?.intValue ?? 0)
    }
    func assertClose(_ a: [Box], _ b: [Box], tolerance: Float, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, "\(label): count", file: file, line: line)
        var worst: Float = 0
        for (x, y) in zip(a, b) {
            for (p, q) in zip([x.x1, x.y1, x.x2, x.y2], [y.x1, y.y1, y.x2, y.y2]) {
                worst = max(worst, abs(p - q) / max(1, abs(q)))
            }
        }
        XCTAssertLessThanOrEqual(worst, tolerance, "\(label): largest relative difference", file: file, line: line)
    }

    static let tvAnchors = AnchorGenerator(strides: [4, 8, 16, 32, 64], ratios: [0.5, 1, 2], scales: [8], grid: .torchvision)

    func testAnchorsAreTorchvisions() throws {
        let f = try section("anchors")
        let padded = size(f["paddedSize"])
        let featureSizes = (f["featureSizes"] as? [Any] ?? []).map(size)
        let cells = f["cellAnchors"] as? [Any] ?? []
        let strides = f["strides"] as? [[String: NSNumber]] ?? []
        let heads = f["gridHeads"] as? [Any] ?? []
        XCTAssertEqual(featureSizes.count, 5)
        for level in 0..<5 {
            XCTAssertEqual(Self.tvAnchors.baseAnchors(level: level), boxes(cells[level]), "cell anchors of level \(level)")
            let feature = featureSizes[level]
            let shift = Self.tvAnchors.shiftStrides(level: level, featureHeight: feature.height, featureWidth: feature.width, paddedInput: padded)
            XCTAssertEqual([shift.x, shift.y], [strides[level]["x"]!.intValue, strides[level]["y"]!.intValue], "strides of level \(level)")
            let grid = Self.tvAnchors.gridAnchors(level: level, featureHeight: feature.height, featureWidth: feature.width, paddedInput: padded)
            XCTAssertEqual(Array(grid.prefix(60)), boxes(heads[level]), "grid of level \(level)")
            if level == 3 { XCTAssertEqual(grid, boxes(f["p5"])) }
            if level == 4 { XCTAssertEqual(grid, boxes(f["p6"]), "P6 of a 352 x 416 input: shifts 58 and 59") }
        }
        XCTAssertEqual(Self.tvAnchors.paddedInput(finestFeatureHeight: 88, finestFeatureWidth: 104), padded)
        // mmdetection's grid is untouched: unrounded cell anchors, the stride as shift.
        let mm = AnchorGenerator(strides: [4, 8, 16, 32, 64], ratios: [0.5, 1, 2], scales: [8])
        XCTAssertNotEqual(mm.baseAnchors(level: 0), Self.tvAnchors.baseAnchors(level: 0))
        XCTAssertEqual(mm.gridAnchors(level: 4, featureHeight: 6, featureWidth: 7, paddedInput: padded),
                       mm.gridAnchors(level: 4, featureHeight: 6, featureWidth: 7))
    }

    func testBoxCoderIsTorchvisions() throws {
        let cases = try XCTUnwrap(Self.fixture["coder"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 2)
        for f in cases {
            let weights = floats(f["weights"])
            let coder = DeltaXYWHBoxCoder(config: BoxCoderConfig(means: [0, 0, 0, 0], stds: weights.map { 1 / Double($0) },
                                                                 convention: .torchvision))
            XCTAssertEqual([coder.weights.0, coder.weights.1, coder.weights.2, coder.weights.3], weights)
            let references = boxes(f["references"]), deltas = floats(f["deltas"])
            let decoded = references.indices.map { i in
                coder.decode(BoxDelta(dx: deltas[4 * i], dy: deltas[4 * i + 1], dw: deltas[4 * i + 2], dh: deltas[4 * i + 3]),
                             relativeTo: references[i])
            }
            // exp is the only operation whose rounding may differ (torch's vectorised expf)
            assertClose(decoded, boxes(f["decoded"]), tolerance: 2e-7, "decode, weights \(weights)")
            let targets = boxes(f["targets"]), encoded = floats(f["encoded"])
            let ours = zip(targets, references).flatMap { t, r -> [Float] in
                let d = coder.encode(t, relativeTo: r)
                return [d.dx, d.dy, d.dw, d.dh]
            }
            for (a, b) in zip(ours, encoded) { XCTAssertEqual(a, b, accuracy: 2e-6 * max(1, abs(b)), "encode, weights \(weights)") }
        }
    }

    func testTorchvisionsDecodeDiffersFromMMDetectionsOnlyWhereDocumented() {
        let tv = DeltaXYWHBoxCoder(torchvisionWeights: (10, 10, 5, 5)), mm = DeltaXYWHBoxCoder.rcnn
        let reference = Box(x1: 10, y1: 20, x2: 50, y2: 40)
        // dw far below -log(1000/16): mmdetection clamps it, torchvision does not.
        let shrink = BoxDelta(dx: 0, dy: 0, dw: -60, dh: 0)
        XCTAssertEqual(mm.decode(shrink, relativeTo: reference).width, 40 * 16 / 1000, accuracy: 1e-4)
        XCTAssertEqual(tv.decode(shrink, relativeTo: reference).width, 40 * Float(exp(-12.0)), accuracy: 1e-5)  // dw / 5, unclamped
        let plain = BoxDelta(dx: 0.3, dy: -0.2, dw: 0.1, dh: 0.4)
        let a = tv.decode(plain, relativeTo: reference), b = mm.decode(plain, relativeTo: reference)
        for (p, q) in zip([a.x1, a.y1, a.x2, a.y2], [b.x1, b.y1, b.x2, b.y2]) { XCTAssertEqual(p, q, accuracy: 1e-4) }
    }

    func testLevelMappingIsTorchvisions() throws {
        let f = try section("levels")
        let rule = RoILevelRule.torchvision(canonicalSize: 224, canonicalLevel: 4, finestLevel: 2)
        let levels = boxes(f["boxes"]).map { rule.level(x1: $0.x1, y1: $0.y1, x2: $0.x2, y2: $0.y2, levelCount: 4) }
        XCTAssertEqual(levels, ints(f["levels"]))
        XCTAssertEqual(rule.finestScale, 56)
    }

    func testBatchedNMSIsTorchvisionsOnBothPaths() throws {
        for name in ["nmsTrick", "nmsVanilla"] {
            let f = try section(name)
            let b = boxes(f["boxes"]), scores = floats(f["scores"]), groups = ints(f["groups"])
            XCTAssertEqual(b.count > 1000, name == "nmsVanilla", "the fixture exercises the path it names")
            for (threshold, key) in [(0.5, "kept05"), (0.7, "kept07")] {
                let kept = torchvisionBatchedNMS(b, scores: scores, groups: groups, iouThreshold: torchvisionIoUThreshold(threshold))
                XCTAssertEqual(kept, ints(f[key]), "\(name) at \(threshold)")
            }
        }
        XCTAssertEqual(torchvisionIoUThreshold(0.5), 0.5)
        XCTAssertEqual(Double(torchvisionIoUThreshold(0.3)), Double(Float(0.3).nextDown), "rounded down: 0.3 rounds up to Float")
        XCTAssertEqual(torchvisionIoUThreshold(0.7), Float(0.7))
    }

    func testProposalSelectionIsTorchvisions() throws {
        let f = try section("proposals")
        let padded = size(f["paddedSize"]), image = size(f["imageSize"])
        let featureSizes = (f["featureSizes"] as? [Any] ?? []).map(size)
        let logits = floats(f["logits"]), deltas = floats(f["deltas"])
        var start = 0
        let levels = featureSizes.enumerated().map { level, feature -> RPNLevelOutput in
            let anchors = Self.tvAnchors.gridAnchors(level: level, featureHeight: feature.height, featureWidth: feature.width,
                                                     paddedInput: padded)
            let range = start..<(start + anchors.count)
            start += anchors.count
            return RPNLevelOutput(anchors: anchors, scores: Array(logits[range]),
                                  deltas: range.map { BoxDelta(dx: deltas[4 * $0], dy: deltas[4 * $0 + 1], dw: deltas[4 * $0 + 2], dh: deltas[4 * $0 + 3]) })
        }
        XCTAssertEqual(start, logits.count)
        let config = ProposalConfig(preNMSTopK: (f["preNMSTopN"] as! NSNumber).intValue, postNMSTopK: (f["postNMSTopN"] as! NSNumber).intValue,
                                    nmsIoU: 0.7, minimumSize: 1e-3, selection: .torchvision)
        let generator = ProposalGenerator(config: config, coder: DeltaXYWHBoxCoder(torchvisionWeights: (1, 1, 1, 1)))
        let proposals = generator.proposals(levels: levels, imageSize: image)
        assertClose(proposals.boxes, boxes(f["boxes"]), tolerance: 1e-6, "proposal boxes")  // exp: torch's vectorised expf
        let scores = floats(f["scores"])
        XCTAssertEqual(proposals.scores.count, scores.count)
        for (a, b) in zip(proposals.scores, scores) { XCTAssertEqual(a, b, accuracy: 1e-7) }
    }

    func testPostProcessingIsTorchvisions() throws {
        let f = try section("postprocess")
        let classes = (f["classes"] as! NSNumber).intValue, k = classes - 1  // ours: background last
        let image = size(f["imageSize"]), original = size(f["originalSize"])
        let rois = boxes(f["proposals"]), logits = floats(f["logits"]), rawDeltas = floats(f["deltas"])
        // torchvision's background column 0 moves last; its background deltas are dropped.
        var ourLogits: [Float] = []
        for i in rois.indices {
            let row = i * classes
            ourLogits += logits[(row + 1)..<(row + classes)]
            ourLogits.append(logits[row])
        }
        let scores = ourLogits.withUnsafeBufferPointer { softmaxRows($0.baseAddress!, rows: rois.count, columns: classes) }
        let deltas = rois.indices.flatMap { i in (1..<classes).map { c -> BoxDelta in
            let at = (i * classes + c) * 4
            return BoxDelta(dx: rawDeltas[at], dy: rawDeltas[at + 1], dw: rawDeltas[at + 2], dh: rawDeltas[at + 3])
        } }
        let coder = DeltaXYWHBoxCoder(torchvisionWeights: (10, 10, 5, 5))
        let perClass = classSpecificBoxes(rois: rois, deltas: deltas, classCount: k, coder: coder, inputSize: image, scaleX: 1, scaleY: 1)
        let nms = MultiClassNMS(scoreThreshold: 0.05, iouThreshold: torchvisionIoUThreshold(0.5), maxDetections: 30, method: .torchvision)
        let detections = nms.detections(scores: scores, classSpecificBoxes: perClass, classCount: k)
        XCTAssertEqual(detections.classes.map { $0 + 1 }, ints(f["labels"]), "labels")
        assertClose(detections.boxes, boxes(f["boxes"]), tolerance: 2e-7, "boxes")
        let expectedScores = floats(f["scores"])
        XCTAssertEqual(detections.scores.count, expectedScores.count)
        for (a, b) in zip(detections.scores, expectedScores) { XCTAssertEqual(a, b, accuracy: 2e-7) }
        // resize_boxes: times original / input per axis.
        let ratioX = Float(original.width) / Float(image.width), ratioY = Float(original.height) / Float(image.height)
        assertClose(detections.boxes.map { $0.scaled(x: ratioX, y: ratioY) }, boxes(f["originalBoxes"]), tolerance: 2e-7, "original boxes")
    }

    func testMaskPasteIsTorchvisions() throws {
        let f = try section("paste")
        let image = size(f["imageSize"])
        let maps = ints(f["mapsTimes256"]).map { Float($0) / 256 }
        let pasteBoxes = boxes(f["boxes"]), bits = f["bits"] as? [String] ?? []
        XCTAssertEqual(pasteBoxes.count, 8)
        for (index, box) in pasteBoxes.enumerated() {
            let map = Array(maps[(index * 784)..<((index + 1) * 784)])
            let mask = pasteMaskTorchvision(map, mapHeight: 28, mapWidth: 28, box: box, imageSize: image, threshold: 0.5)
            let expected = bits[index].utf8.map { $0 == UInt8(ascii: "1") ? UInt8(1) : 0 }
            let got = mask.fullImage()
            let differing = zip(got, expected).filter { $0 != $1 }.count
            XCTAssertEqual(differing, 0, "box \(index) \(box): \(differing) pixels differ")
        }
    }

    // MARK: the config keys

    func testConventionKeysAreOptionalAndRoundTrip() throws {
        var tree = try PresetFiles.tree("smoke")
        let plain = try DetectorConfig.decode(try JSONSerialization.data(withJSONObject: tree), file: "smoke.json")
        XCTAssertNil(plain.rpn.anchorGrid)
        XCTAssertNil(plain.test.postProcessing)
        XCTAssertFalse(String(decoding: try plain.encoded(), as: UTF8.self).contains("torchvision"),
                       "absent keys stay absent in the encoded config (same bytes as before)")
        var rpn = tree["rpn"] as! [String: Any]
        rpn["anchorGrid"] = "torchvision"
        var test = rpn["test"] as! [String: Any]
        test["selection"] = "torchvision"
        rpn["test"] = test
        var coder = rpn["coder"] as! [String: Any]
        coder["convention"] = "torchvision"
        rpn["coder"] = coder
        tree["rpn"] = rpn
        var roi = tree["roiHeads"] as! [String: Any]
        roi["levelMapping"] = "torchvision"
        tree["roiHeads"] = roi
        var testSection = tree["test"] as! [String: Any]
        testSection["postProcessing"] = "torchvision"
        testSection["maskPaste"] = "torchvision"
        tree["test"] = testSection
        let config = try DetectorConfig.decode(try JSONSerialization.data(withJSONObject: tree), file: "edited.json")
        XCTAssertEqual(config.rpn.anchorGrid, .torchvision)
        XCTAssertEqual(config.rpn.test.selection, .torchvision)
        XCTAssertNil(config.rpn.train.selection)
        XCTAssertEqual(config.rpn.coder.convention, .torchvision)
        XCTAssertEqual(config.roiHeads.levelMapping, .torchvision)
        XCTAssertEqual(config.test.postProcessing, .torchvision)
        XCTAssertEqual(config.test.maskPaste, .torchvision)
        XCTAssertEqual(try DetectorConfig.decode(config.encoded(), file: "again.json"), config)
        let settings = InferenceSettings(config: try config.resolved(numClasses: 3))
        XCTAssertEqual(settings.anchors.grid, .torchvision)
        XCTAssertEqual(settings.proposals.selection, .torchvision)
        XCTAssertEqual(settings.proposals.coder.convention, .torchvision)
        XCTAssertEqual(settings.boxCoder.convention, .mmdetection, "each coder has its own key")
        XCTAssertEqual(settings.nms.method, .torchvision)
        XCTAssertEqual(settings.maskPaste, .torchvision)
        if case .torchvision = settings.roiLevels {} else { XCTFail("torchvision's level rule") }
        XCTAssertEqual(TrainingSettings(config: try config.resolved(numClasses: 3)).proposals.selection, .mmdetection,
                       "rpn.train.selection is its own key")
    }

    func testBadConventionValuesAndCombinationsAreRefused() throws {
        var tree = try PresetFiles.tree("smoke")
        var roi = tree["roiHeads"] as! [String: Any]
        roi["levelMapping"] = "detectron"  // Detectron (1): not a convention
        tree["roiHeads"] = roi
        do {
            _ = try DetectorConfig.decode(try JSONSerialization.data(withJSONObject: tree), file: "edited.json")
            XCTFail("an unknown convention must be refused")
        } catch let error as ToolError {
            XCTAssertTrue(error.message.contains("roiHeads.levelMapping"), error.message)
        }
        var config = try PresetFiles.load("smoke")
        config.roiHeads.boxHead.coder.convention = .torchvision
        config.roiHeads.boxHead.coder.means = [0.1, 0, 0, 0]
        XCTAssertEqual(config.validationProblems(), ["roiHeads.boxHead.coder.means must be 0 with roiHeads.boxHead.coder.convention "
                                                     + "\"torchvision\" (torchvision's BoxCoder has weights, 1 / stds, and no means), got [0.1, 0.0, 0.0, 0.0]"])
    }

    func testTorchvisionSettingsAreValidAndSetEveryConvention() throws {
        var config = TorchvisionLayout.torchvisionSettings(try PresetFiles.load("r50-fpn"))
        config.roiHeads.numClasses = 90
        XCTAssertEqual(config.validationProblems(), [])
        XCTAssertEqual(config.rpn.anchorGrid, .torchvision)
        XCTAssertEqual([config.rpn.train.selection, config.rpn.test.selection], [.torchvision, .torchvision])
        XCTAssertEqual([config.rpn.coder.convention, config.roiHeads.boxHead.coder.convention], [.torchvision, .torchvision])
        XCTAssertEqual(config.roiHeads.levelMapping, .torchvision)
        XCTAssertEqual(config.test.postProcessing, .torchvision)
        XCTAssertEqual(config.test.maskPaste, .torchvision)
        XCTAssertEqual(config.roiHeads.maskHead.classifier, .linear)
        XCTAssertEqual(config.roiHeads.boxPooler, PoolerConfig(outputSize: 7, samplingRatio: 2, aligned: false))
        let settings = InferenceSettings(config: config)
        XCTAssertEqual(settings.boxCoder, DeltaXYWHBoxCoder(torchvisionWeights: (10, 10, 5, 5)))
        XCTAssertEqual(settings.proposals.coder, DeltaXYWHBoxCoder(torchvisionWeights: (1, 1, 1, 1)))
        XCTAssertEqual(settings.nms, MultiClassNMS(scoreThreshold: 0.05, iouThreshold: 0.5, maxDetections: 100, method: .torchvision))
    }
}
