// The model's parameter layout: stable names and shapes, ResNet-50's exact size, which
// parts start frozen, deterministic initialisation, and activation buffers reused across
// iterations.
import XCTest
@testable import SharedDetection
import SharedSupport
@_spi(Kernels) import SharedTensor
import SharedNN

final class ModelLayoutTests: XCTestCase {
    typealias S = ModelTestSupport

    func testSmokeParameterNamesAndShapes() throws {
        var random = SeededRandom(seed: 0)
        let (_, store) = MaskRCNN.make(config: try S.smokeConfig(classes: 3), random: &random)
        let shapes = Dictionary(uniqueKeysWithValues: store.parameters.map { ($0.name, $0.shape) })
        let expected: [String: [Int]] = [
            "backbone.stem.conv.weight": [8, 3, 7, 7], "backbone.stem.norm.weight": [8], "backbone.stem.norm.bias": [8],
            "backbone.res2.0.conv1.weight": [8, 8, 3, 3], "backbone.res2.0.norm1.weight": [8], "backbone.res2.0.conv2.weight": [8, 8, 3, 3],
            "backbone.res3.0.conv1.weight": [16, 8, 3, 3], "backbone.res3.0.shortcut.conv.weight": [16, 8, 1, 1],
            "backbone.res3.0.shortcut.norm.weight": [16], "backbone.res5.0.conv2.weight": [64, 64, 3, 3],
            "fpn.lateral.2.weight": [32, 8, 1, 1], "fpn.lateral.2.bias": [32], "fpn.lateral.5.weight": [32, 64, 1, 1],
            "fpn.output.2.weight": [32, 32, 3, 3], "fpn.output.5.bias": [32],
            "rpn.conv.weight": [32, 32, 3, 3], "rpn.conv.bias": [32], "rpn.objectness.weight": [3, 32, 1, 1],
            "rpn.deltas.weight": [12, 32, 1, 1], "rpn.deltas.bias": [12],
            "roi_heads.box_head.fc1.weight": [64, 32 * 49], "roi_heads.box_head.fc2.weight": [64, 64],
            "roi_heads.box_predictor.cls_score.weight": [4, 64], "roi_heads.box_predictor.cls_score.bias": [4],
            "roi_heads.box_predictor.bbox_pred.weight": [12, 64],
            "roi_heads.mask_head.conv1.weight": [16, 32, 3, 3], "roi_heads.mask_head.conv2.weight": [16, 16, 3, 3],
            "roi_heads.mask_head.deconv.weight": [16, 16, 2, 2], "roi_heads.mask_head.deconv.bias": [16],
            "roi_heads.mask_predictor.weight": [3, 16, 1, 1], "roi_heads.mask_predictor.bias": [3],
        ]
        for (name, shape) in expected { XCTAssertEqual(shapes[name], shape, name) }
        XCTAssertNil(shapes["backbone.res2.0.shortcut.conv.weight"], "8 -> 8 channels at stride 1: identity shortcut")
        XCTAssertNil(shapes["fpn.lateral.6.weight"], "P6 is a max-pool, no weights")
        XCTAssertNil(shapes["roi_heads.mask_head.conv3.weight"])
        // Every name belongs to exactly one model part.
        for parameter in store.parameters {
            XCTAssertEqual(ModelPart.allCases.filter { parameter.name.hasPrefix($0.parameterPrefix) }.count, 1, parameter.name)
        }
        XCTAssertTrue(store.trainable.count == store.parameterCount, "smoke trains everything")
    }

    func testR50BackboneHasTorchvisionResNet50sSizeAndFreezesStemAndRes2() throws {
        let config = try PresetFiles.load("r50-fpn").resolved(numClasses: 1203)
        var layout = ParameterLayout()
        let model = MaskRCNN(config: config, layout: &layout)
        let backbone = layout.parameters.filter { $0.name.hasPrefix("backbone.") }
        // torchvision resnet50 without fc: 265 tensors, 23,561,152 values (incl. BN running stats).
        XCTAssertEqual(backbone.count, 265)
        XCTAssertEqual(backbone.reduce(0) { $0 + $1.count }, 23_561_152)
        XCTAssertEqual(model.backbone.outputSpecs.map(\.channels), [256, 512, 1024, 2048])
        XCTAssertEqual(model.fpn.outputSpecs.map(\.stride), [4, 8, 16, 32, 64])
        XCTAssertEqual(layout.parameter(named: "roi_heads.box_head.fc1.weight")?.shape, [1024, 256 * 49])
        XCTAssertEqual(layout.parameter(named: "roi_heads.box_predictor.cls_score.weight")?.shape, [1204, 1024])
        XCTAssertEqual(layout.parameter(named: "roi_heads.box_predictor.bbox_pred.weight")?.shape, [4812, 1024])
        XCTAssertEqual(layout.parameter(named: "roi_heads.mask_predictor.weight")?.shape, [1203, 256, 1, 1])
        let frozen = layout.frozenNames
        XCTAssertTrue(frozen.contains("backbone.stem.conv.weight"))
        XCTAssertTrue(frozen.contains("backbone.res2.2.conv3.weight"))
        XCTAssertFalse(frozen.contains("backbone.res3.0.conv1.weight"))
        XCTAssertTrue(frozen.contains("backbone.res3.0.norm1.weight"), "frozen BN is frozen everywhere")
        XCTAssertFalse(frozen.contains { $0.hasPrefix("fpn.") || $0.hasPrefix("rpn.") || $0.hasPrefix("roi_heads.") })
    }

    func testStageTwoFreezesBackboneFPNAndSharedFCs() throws {
        var random = SeededRandom(seed: 0)
        let (model, store) = MaskRCNN.make(config: try PresetFiles.load("smoke-loce").resolved(numClasses: 3), random: &random)
        model.setFrozen(PresetFiles.stageTwoFrozen, store: store)
        for parameter in store.parameters {
            let frozen = ["backbone.", "fpn.", "roi_heads.box_head."].contains { parameter.name.hasPrefix($0) }
            XCTAssertEqual(store.isFrozen(parameter), frozen, parameter.name)
        }
    }

    func testInitialisationIsSeededAndFollowsThePaper() throws {
        let config = try S.smokeConfig(classes: 5)
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 43)
        let first = MaskRCNN.make(config: config, random: &a).store, second = MaskRCNN.make(config: config, random: &b).store
        let third = MaskRCNN.make(config: config, random: &c).store
        XCTAssertEqual(first.values.buffer.prefix(first.totalCount).elementsEqual(second.values.buffer.prefix(second.totalCount)), true)
        XCTAssertNotEqual(Array(first.values.buffer.prefix(first.totalCount)), Array(third.values.buffer.prefix(third.totalCount)))
        func std(_ name: String) -> Double {
            let values = first.value(first[name]!).toArray().map(Double.init)
            let mean = values.reduce(0, +) / Double(values.count)
            return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        }
        XCTAssertEqual(std("roi_heads.box_predictor.cls_score.weight"), 0.01, accuracy: 0.001)   // 320 values
        XCTAssertEqual(std("roi_heads.box_predictor.bbox_pred.weight"), 0.001, accuracy: 0.0001)  // 1280 values
        XCTAssertEqual(std("rpn.conv.weight"), 0.01, accuracy: 0.0005)
        for zero in ["roi_heads.box_predictor.cls_score.bias", "roi_heads.mask_predictor.bias", "rpn.objectness.bias", "fpn.output.2.bias"] {
            XCTAssertEqual(first.value(first[zero]!).maxAbs(), 0, zero)
        }
        XCTAssertEqual(first.value(first["backbone.stem.norm.weight"]!).toArray(), [Float](repeating: 1, count: 8))
    }

    func testActivationBuffersAreReusedAcrossIterations() throws {
        var random = SeededRandom(seed: 3)
        let (model, store) = MaskRCNN.make(config: try S.smokeConfig(), random: &random)
        let context = ModuleContext(store: store, compute: try S.compute())
        let image = S.randomTensor([2, 3, 64, 96], random: &random)
        let dP = BufferSlot("test.dP"), dC = BufferSlot("test.dC")
        func iteration() -> [Float] {
            let (features, backboneSaved) = model.backbone.forward(image, context: context)
            let (levels, fpnSaved) = model.fpn.forward(features, context: context)
            let (rpn, rpnSaved) = model.rpnHead.forward(levels, context: context)
            let result = rpn.objectness.flatMap { $0.toArray() }
            let dLevels = levels.enumerated().map { context.buffers.zeroed(dP, index: $0.offset, shape: $0.element.shape) }
            let dFeatures = features.enumerated().map { context.buffers.zeroed(dC, index: $0.offset, shape: $0.element.shape) }
            model.rpnHead.backward(dObjectness: rpn.objectness.map { $0.clone() }, dDeltas: rpn.deltas.map { $0.clone() },
                                   saved: rpnSaved, dLevels: dLevels, context: context)
            model.fpn.backward(dLevels, saved: fpnSaved, dFeatures: dFeatures, context: context)
            model.backbone.backward(dFeatures, saved: backboneSaved, context: context)
            return result
        }
        store.zeroGradients()
        let first = iteration()
        let capacity = context.buffers.capacity, count = context.buffers.bufferCount
        let gradients = Array(store.gradients.buffer)
        store.zeroGradients()
        let second = iteration()
        XCTAssertEqual(first, second)
        XCTAssertEqual(Array(store.gradients.buffer), gradients, "the same iteration gives the same gradients")
        XCTAssertEqual(context.buffers.capacity, capacity, "no new activation memory in the second iteration")
        XCTAssertEqual(context.buffers.bufferCount, count)
        XCTAssertGreaterThan(store.gradient(store["backbone.stem.conv.weight"]!).maxAbs(), 0)
    }
}

/// Activation buffers are keyed by the identity of a module's `BufferSlot`, not by a name.
final class ActivationBuffersTests: XCTestCase {
    typealias S = ModelTestSupport

    func testASlotKeepsItsBufferGrowsItAndIndicesAreBuffersOfTheirOwn() {
        let buffers = ActivationBuffers()
        let slot = BufferSlot("test.slot")
        let a = buffers.tensor(slot, shape: [2, 3])
        a.data[0] = 7
        let b = buffers.tensor(slot, shape: [3, 2])
        XCTAssertEqual(a.data, b.data, "the same slot: the same floats")
        XCTAssertEqual(b.data[0], 7, "tensor(_:shape:) keeps the contents")
        XCTAssertEqual(buffers.zeroed(slot, shape: [6]).toArray(), [Float](repeating: 0, count: 6))
        let other = buffers.tensor(slot, index: 1, shape: [6])
        XCTAssertNotEqual(other.data, a.data, "another index of a slot is another buffer")
        XCTAssertNotEqual(buffers.tensor(BufferSlot("test.slot"), shape: [6]).data, a.data, "another slot with the same label")
        XCTAssertEqual(buffers.bufferCount, 3)
        XCTAssertEqual(buffers.capacity, 18)
        let grown = buffers.tensor(slot, shape: [4, 4])
        XCTAssertEqual(grown.count, 16)
        XCTAssertEqual(buffers.bufferCount, 3, "a larger shape grows the slot's buffer")
        XCTAssertEqual(buffers.capacity, 28)
        XCTAssertEqual(buffers.tensor(slot, shape: [2, 3]).data, grown.data, "and keeps the grown one for smaller shapes")
        XCTAssertEqual(buffers.report.map(\.capacity), [16, 6, 6])
        XCTAssertEqual(Set(buffers.report.map(\.label)), ["test.slot", "test.slot[1]"])
    }

    /// Two modules built with one name used to share the buffer of that name: the second
    /// pooler's forward overwrote the first one's output, which a pending backward still reads.
    func testModulesBuiltWithOneNameDoNotShareABuffer() throws {
        let config = try S.smokeConfig()
        let settings = TrainingSettings(config: config)
        var random = SeededRandom(seed: 5)
        let (model, store) = MaskRCNN.make(config: config, random: &random)
        let context = ModuleContext(store: store, compute: try S.compute())
        let levels = [16, 8, 4, 2].map { S.randomTensor([1, 4, $0, 2 * $0], random: &random) }  // P2..P5 of 64 x 128
        let rois = RoIPooler.roiTable([[Box(x1: 4, y1: 4, x2: 40, y2: 36), Box(x1: 30, y1: 2, x2: 120, y2: 60)]])
        let first = RoIPooler("roi_heads.box_pooler", options: settings.boxPooler, finestScale: settings.finestScale)
        let second = RoIPooler("roi_heads.box_pooler", options: settings.boxPooler, finestScale: settings.finestScale)
        let (pooled, _) = first.forward(levels: levels, rois: rois, context: context)
        let kept = pooled.toArray()
        let other = levels.map { level in Tensor(shape: level.shape, values: level.toArray().map { 2 * $0 + 1 }) }
        let (pooledAgain, _) = second.forward(levels: other, rois: rois, context: context)
        XCTAssertNotEqual(pooled.data, pooledAgain.data)
        XCTAssertEqual(pooled.toArray(), kept, "the first pooler's output is untouched")
        XCTAssertEqual(context.buffers.bufferCount, 2)
        // A copy of a module is the same module: the same buffer.
        let copy = first
        XCTAssertEqual(copy.forward(levels: levels, rois: rois, context: context).features.data, pooled.data)
        XCTAssertEqual(context.buffers.bufferCount, 2)

        // Two models of one config (one store, the same parameter names) in one context: each
        // has its own activations; a copy of a model shares its model's.
        var layout = ParameterLayout()
        let twin = MaskRCNN(config: config, layout: &layout)
        let image = S.randomTensor([1, 3, 64, 128], random: &random)
        let (features, _) = model.backbone.forward(image, context: context)
        let count = context.buffers.bufferCount
        let (twinFeatures, _) = twin.backbone.forward(image, context: context)
        XCTAssertEqual(context.buffers.bufferCount, 2 * count - 2)
        for (a, b) in zip(features, twinFeatures) {
            XCTAssertNotEqual(a.data, b.data)
            XCTAssertEqual(a.toArray(), b.toArray(), "same weights, same features")
        }
        let modelCopy = model
        XCTAssertEqual(modelCopy.backbone.forward(image, context: context).features.map(\.data), features.map(\.data))
        XCTAssertEqual(context.buffers.bufferCount, 2 * count - 2)
    }
}

/// torchvision's ResNet-50 state dict, renamed by the rule in Model/README.md, is exactly
/// the r50-fpn backbone: same names, same shapes (fixture from make_model_fixtures.py).
final class ModelTorchvisionNamesTests: XCTestCase {
    struct Entry: Decodable { var torchvision: String; var ours: String; var shape: [Int] }

    func testTorchvisionResNet50MapsOntoOurBackbone() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/model/resnet50_names.json")
        let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: url))
        var layout = ParameterLayout()
        _ = MaskRCNN(config: try PresetFiles.load("r50-fpn").resolved(numClasses: 1203), layout: &layout)
        let backbone = layout.parameters.filter { $0.name.hasPrefix("backbone.") }
        XCTAssertEqual(entries.map(\.ours), backbone.map(\.name), "same names in the same order")
        for (entry, parameter) in zip(entries, backbone) { XCTAssertEqual(entry.shape, parameter.shape, entry.torchvision) }
    }
}
