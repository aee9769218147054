// Parity with torchvision: the smoke architecture built from torchvision's modules
// (scripts/fixtures/make_model_fixtures.py) and ours, with the same weights (safetensors,
// our parameter names), give the same backbone and FPN features, RPN objectness and deltas,
// pooled RoI features, box logits and deltas, and mask logits, to 1e-3 relative; and the
// backward passes give autograd's gradient of sum(outputs * R) for every parameter.
import XCTest
import Foundation
@testable import SharedDetection
import SharedSupport
@_spi(Kernels) import SharedTensor
import SharedNN

final class ModelParityTests: XCTestCase {
    typealias S = ModelTestSupport
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/model")
    static let hint = "regenerate with python3 scripts/fixtures/make_model_fixtures.py"

    struct Loaded {
        var model: MaskRCNN
        var store: ParameterStore
        var outputs: SafetensorsFile
        var context: ModuleContext
    }

    /// The smoke model with the fixture's weights, and the reference outputs.
    func load() throws -> Loaded {
        let weights = try SafetensorsFile.read(from: Self.fixtures.appendingPathComponent("smoke_weights.safetensors").path, hint: Self.hint)
        let outputs = try SafetensorsFile.read(from: Self.fixtures.appendingPathComponent("smoke_outputs.safetensors").path, hint: Self.hint)
        let config = try S.smokeConfig(classes: Int(weights.metadata["classes"] ?? "") ?? -1)
        var layout = ParameterLayout()
        let model = MaskRCNN(config: config, layout: &layout)
        let store = ParameterStore(layout: layout)
        XCTAssertEqual(Set(weights.names), Set(store.parameters.map(\.name)), "the fixture and our model name the same parameters")
        for parameter in store.parameters {
            let tensor = try XCTUnwrap(weights[parameter.name], parameter.name)
            XCTAssertEqual(tensor.shape, parameter.shape, parameter.name)
            guard tensor.shape == parameter.shape else { continue }
            tensor.copyFloat32(into: store.value(parameter).buffer)
        }
        return Loaded(model: model, store: store, outputs: outputs, context: ModuleContext(store: store, compute: try S.compute()))
    }

    /// max |ours - reference| <= 1e-3 * max |reference|, with equal shapes.
    func assertClose(_ ours: Tensor, _ name: String, in file: SafetensorsFile, tolerance: Float = 1e-3,
                     line: UInt = #line) throws {
        let reference = try XCTUnwrap(file[name], name, line: line)
        XCTAssertEqual(ours.shape, reference.shape, name, line: line)
        guard ours.shape == reference.shape else { return }
        let values = reference.floatValues()
        var maxDifference: Float = 0, scale: Float = 0
        for (index, value) in values.enumerated() {
            maxDifference = max(maxDifference, abs(ours.data[index] - value))
            scale = max(scale, abs(value))
        }
        XCTAssertGreaterThan(scale, 0, "\(name) is all zeros: a weak fixture", line: line)
        XCTAssertLessThanOrEqual(maxDifference, tolerance * scale, "\(name): max difference \(maxDifference), scale \(scale)", line: line)
    }

    func tensor(_ name: String, in file: SafetensorsFile) throws -> Tensor {
        let reference = try XCTUnwrap(file[name], name)
        return Tensor(shape: reference.shape, values: reference.floatValues())
    }

    func testBackboneFPNAndRPNHeadMatchTorchvision() throws {
        let m = try load()
        let image = try tensor("image", in: m.outputs)
        let (features, _) = m.model.backbone.forward(image, context: m.context)
        for (index, feature) in features.enumerated() { try assertClose(feature, "c\(index + 2)", in: m.outputs) }
        let (levels, _) = m.model.fpn.forward(features, context: m.context)
        XCTAssertEqual(levels.count, 5)
        for (index, level) in levels.enumerated() { try assertClose(level, "p\(index + 2)", in: m.outputs) }
        let (rpn, _) = m.model.rpnHead.forward(levels, context: m.context)
        for index in 0..<5 {
            try assertClose(rpn.objectness[index], "rpn_objectness_\(index)", in: m.outputs)
            try assertClose(rpn.deltas[index], "rpn_deltas_\(index)", in: m.outputs)
        }
    }

    func testRoIFeaturesOfOurFPNMatchTorchvisionRoIAlign() throws {
        let m = try load()
        let image = try tensor("image", in: m.outputs)
        let (features, _) = m.model.backbone.forward(image, context: m.context)
        let (levels, _) = m.model.fpn.forward(features, context: m.context)
        let rois = try tensor("rois", in: m.outputs)
        let expectedLevels = try XCTUnwrap(m.outputs["roi_levels"]).floatValues().map { Int($0) }
        let count = rois.dimension(0)
        XCTAssertEqual(Set(expectedLevels), [0, 1, 2, 3], "the fixture covers every pooled level")
        for r in 0..<count {
            let box = (0..<5).map { rois[r, $0] }
            XCTAssertEqual(roiFeatureLevel(x1: box[1], y1: box[2], x2: box[3], y2: box[4], levelCount: 4), expectedLevels[r], "roi \(r)")
        }
        for (size, name) in [(7, "box_features"), (14, "mask_features")] {
            let output = Tensor(shape: [count, m.model.fpn.channels, size, size])
            let pooled = levels.prefix(4).enumerated().map { index, level in
                RoIAlignLevel(features: UnsafeBufferPointer(level.buffer), height: level.h, width: level.w,
                              spatialScale: 1 / Float(4 << index))
            }
            _ = roiAlignForward(output: output.buffer, levels: Array(pooled), batch: image.n, channels: m.model.fpn.channels,
                                rois: UnsafeBufferPointer(rois.buffer), options: RoIAlignOptions(outputSize: size, samplingRatio: 0, aligned: true),
                                parallelism: m.context.compute.parallelism)
            try assertClose(output, name, in: m.outputs)
        }
    }

    func testBoxAndMaskHeadsMatchTorchvision() throws {
        let m = try load()
        let boxFeatures = try tensor("box_features", in: m.outputs)
        let (hidden, _) = m.model.boxHead.forward(boxFeatures, context: m.context)
        let (logits, deltas, _) = m.model.boxPredictor.forward(hidden, context: m.context)
        try assertClose(logits, "box_logits", in: m.outputs)
        try assertClose(deltas, "box_deltas", in: m.outputs)
        let maskFeatures = try tensor("mask_features", in: m.outputs)
        let (maskLogits, _) = m.model.maskHead.forward(maskFeatures, context: m.context)
        XCTAssertEqual(maskLogits.shape, [maskFeatures.n, 3, 28, 28])
        try assertClose(maskLogits, "mask_logits", in: m.outputs)
    }

    func testBackwardMatchesAutogradForEveryParameter() throws {
        let m = try load()
        let gradients = try SafetensorsFile.read(from: Self.fixtures.appendingPathComponent("smoke_gradients.safetensors").path,
                                                 hint: Self.hint)
        func r(_ name: String) throws -> Tensor { try tensor("r_\(name)", in: gradients) }
        m.store.zeroGradients()
        // Trunk: loss = sum(P * R) + sum(objectness * R) + sum(deltas * R).
        let image = try tensor("image", in: m.outputs)
        let (features, backboneSaved) = m.model.backbone.forward(image, context: m.context)
        let (levels, fpnSaved) = m.model.fpn.forward(features, context: m.context)
        let (_, rpnSaved) = m.model.rpnHead.forward(levels, context: m.context)
        let dLevels = try (0..<5).map { try r("p\($0 + 2)") }
        let dFeatures = features.map { Tensor.zeros(like: $0) }
        m.model.rpnHead.backward(dObjectness: try (0..<5).map { try r("rpn_objectness_\($0)") },
                                 dDeltas: try (0..<5).map { try r("rpn_deltas_\($0)") },
                                 saved: rpnSaved, dLevels: dLevels, context: m.context)
        m.model.fpn.backward(dLevels, saved: fpnSaved, dFeatures: dFeatures, context: m.context)
        m.model.backbone.backward(dFeatures, saved: backboneSaved, context: m.context)
        // Heads, from the fixture's pooled features.
        let boxFeatures = try tensor("box_features", in: m.outputs), maskFeatures = try tensor("mask_features", in: m.outputs)
        let dBoxFeatures = Tensor.zeros(like: boxFeatures), dMaskFeatures = Tensor.zeros(like: maskFeatures)
        let (hidden, headSaved) = m.model.boxHead.forward(boxFeatures, context: m.context)
        let (_, _, predictorSaved) = m.model.boxPredictor.forward(hidden, context: m.context)
        let dHidden = Tensor.zeros(like: hidden)
        m.model.boxPredictor.backward(dLogits: try r("box_logits"), dDeltas: try r("box_deltas"), saved: predictorSaved,
                                      dFeatures: dHidden, context: m.context)
        m.model.boxHead.backward(dHidden, saved: headSaved, dRoIFeatures: dBoxFeatures, context: m.context)
        let (_, maskSaved) = m.model.maskHead.forward(maskFeatures, context: m.context)
        m.model.maskHead.backward(try r("mask_logits"), saved: maskSaved, dRoIFeatures: dMaskFeatures, context: m.context)

        for parameter in m.store.parameters {
            try assertClose(m.store.gradient(parameter), "grad_\(parameter.name)", in: gradients)
        }
        try assertClose(dBoxFeatures, "grad_box_features", in: gradients)
        try assertClose(dMaskFeatures, "grad_mask_features", in: gradients)
    }

    /// The r50-fpn code path (Bottleneck with the stride on the 3x3, frozen BatchNorm) against
    /// torchvision's Bottleneck and FrozenBatchNorm2d: C2..C5 and every conv weight's gradient.
    func testBottleneckFrozenBatchNormMatchesTorchvision() throws {
        let file = try SafetensorsFile.read(from: Self.fixtures.appendingPathComponent("bottleneck_frozen_bn.safetensors").path,
                                            hint: Self.hint)
        var layout = ParameterLayout()
        let resnet = ResNet(block: .bottleneck, stageBlocks: [1, 2, 1, 1], stemWidth: 8, stageWidths: [16, 32, 64, 128],
                            norm: .frozenBatchNorm, groups: 1, frozenStages: 0, layout: &layout)
        let store = ParameterStore(layout: layout)
        for parameter in store.parameters {
            let tensor = try XCTUnwrap(file[parameter.name], parameter.name)
            XCTAssertEqual(tensor.shape, parameter.shape, parameter.name)
            guard tensor.shape == parameter.shape else { continue }
            tensor.copyFloat32(into: store.value(parameter).buffer)
        }
        let context = ModuleContext(store: store, compute: try S.compute())
        let (features, saved) = resnet.forward(try tensor("image", in: file), context: context)
        for (index, feature) in features.enumerated() { try assertClose(feature, "out.c\(index + 2)", in: file) }
        store.zeroGradients()
        resnet.backward(try (0..<4).map { try tensor("r.c\($0 + 2)", in: file) }, saved: saved, context: context)
        var checked = 0
        for parameter in store.parameters where parameter.name.contains("conv") {
            try assertClose(store.gradient(parameter), "grad.\(parameter.name)", in: file)
            checked += 1
        }
        XCTAssertEqual(checked, 1 + 5 * 3 + 4)  // stem, 5 blocks x 3 convs, 4 projection shortcuts
    }
}
