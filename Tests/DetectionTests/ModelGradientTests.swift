// Finite-difference gradient checks of every model module at smoke sizes: loss =
// sum(outputs * R) with random R; parameters of each module and the module's input.
import XCTest
@testable import SharedDetection
import SharedSupport
@_spi(Kernels) import SharedTensor
import SharedNN

final class ModelGradientTests: XCTestCase {
    typealias S = ModelTestSupport

    func testResNetGroupNormBasicBlocks() throws {
        let config = try S.smokeConfig()
        var layout = ParameterLayout()
        let resnet = ResNet(config: config.backbone, layout: &layout)
        let store = ParameterStore(layout: layout)
        var random = SeededRandom(seed: 1)
        resnet.initialize(store, random: &random)
        // Non-trivial affine parameters so their gradients are tested away from 1 / 0.
        for parameter in store.parameters where parameter.name.contains("norm") {
            store.value(parameter).fillNormal(mean: parameter.name.hasSuffix("weight") ? 1 : 0, std: 0.2, random: &random)
        }
        let context = ModuleContext(store: store, compute: try S.compute())
        let image = S.randomTensor([1, 3, 32, 32], random: &random)
        var saved: ResNet.Saved?
        S.checkGradients(
            forward: {
                let result = resnet.forward(image, context: context)
                saved = result.saved
                return result.features
            },
            backward: { dFeatures in resnet.backward(dFeatures, saved: saved!, context: context) },
            probes: {
                S.parameterProbes(["backbone.stem.conv.weight", "backbone.stem.norm.weight", "backbone.res2.0.conv1.weight",
                                   "backbone.res2.0.norm2.bias", "backbone.res3.0.shortcut.conv.weight",
                                   "backbone.res4.0.norm1.weight", "backbone.res5.0.conv2.weight", "backbone.res5.0.norm2.bias"],
                                  store: store)
            }, store: store)
    }

    func testResNetBottleneckFrozenBatchNormAndFrozenStages() throws {
        var layout = ParameterLayout()
        let resnet = ResNet(block: .bottleneck, stageBlocks: [1, 2, 1, 1], stemWidth: 8, stageWidths: [16, 32, 32, 64],
                            norm: .frozenBatchNorm, groups: 1, frozenStages: 2, layout: &layout)
        let store = ParameterStore(layout: layout)
        var random = SeededRandom(seed: 2)
        resnet.initialize(store, random: &random)
        for parameter in store.parameters where parameter.name.contains("norm") {
            let isScale = parameter.name.hasSuffix("weight") || parameter.name.hasSuffix("running_var")
            store.value(parameter).fillUniform(low: isScale ? 0.5 : -0.3, high: isScale ? 1.5 : 0.3, random: &random)
        }
        // Stem and res2 are frozen; frozen BN is always frozen; res3 convs train.
        XCTAssertTrue(store.isFrozen(store["backbone.stem.conv.weight"]!))
        XCTAssertTrue(store.isFrozen(store["backbone.res2.0.conv2.weight"]!))
        XCTAssertFalse(store.isFrozen(store["backbone.res3.0.conv1.weight"]!))
        XCTAssertTrue(store.isFrozen(store["backbone.res3.0.norm1.running_var"]!))
        XCTAssertNotNil(store["backbone.res2.0.shortcut.conv.weight"], "8 -> 16 channels needs a projection")
        XCTAssertNil(store["backbone.res3.1.shortcut.conv.weight"])
        XCTAssertEqual(resnet.outputSpecs, [FeatureSpec(channels: 16, stride: 4), FeatureSpec(channels: 32, stride: 8),
                                            FeatureSpec(channels: 32, stride: 16), FeatureSpec(channels: 64, stride: 32)])
        let context = ModuleContext(store: store, compute: try S.compute())
        let image = S.randomTensor([1, 3, 64, 64], random: &random)
        var saved: ResNet.Saved?
        S.checkGradients(
            forward: {
                let result = resnet.forward(image, context: context)
                saved = result.saved
                return result.features
            },
            backward: { dFeatures in resnet.backward(dFeatures, saved: saved!, context: context) },
            probes: {
                S.parameterProbes(["backbone.res3.0.conv1.weight", "backbone.res3.0.conv2.weight", "backbone.res3.1.conv3.weight",
                                   "backbone.res3.0.shortcut.conv.weight", "backbone.res5.0.conv2.weight"], store: store)
            }, store: store)
        // Frozen parameters get no gradient.
        XCTAssertEqual(store.gradient(store["backbone.stem.conv.weight"]!).maxAbs(), 0)
        XCTAssertEqual(store.gradient(store["backbone.res2.0.conv1.weight"]!).maxAbs(), 0)
    }

    func testFPN() throws {
        let config = try S.smokeConfig()
        var layout = ParameterLayout()
        let specs = [FeatureSpec(channels: 8, stride: 4), FeatureSpec(channels: 16, stride: 8),
                     FeatureSpec(channels: 32, stride: 16), FeatureSpec(channels: 64, stride: 32)]
        let fpn = FPN(config: config.fpn, backboneSpecs: specs, layout: &layout)
        XCTAssertEqual(fpn.outputSpecs.map(\.stride), [4, 8, 16, 32, 64])
        XCTAssertEqual(fpn.outputSpecs.map(\.channels), [32, 32, 32, 32, 32])
        let store = ParameterStore(layout: layout)
        var random = SeededRandom(seed: 3)
        fpn.initialize(store, random: &random)
        for parameter in store.parameters where parameter.name.hasSuffix("bias") {
            store.value(parameter).fillNormal(std: 0.1, random: &random)
        }
        let context = ModuleContext(store: store, compute: try S.compute())
        let inputs = specs.map { S.randomTensor([2, $0.channels, 64 / $0.stride, 32 / $0.stride], random: &random) }
        let dInputs = inputs.map { Tensor.zeros(like: $0) }
        var saved: FPN.Saved?
        S.checkGradients(
            forward: {
                let result = fpn.forward(inputs, context: context)
                saved = result.saved
                return result.levels
            },
            backward: { dLevels in fpn.backward(dLevels, saved: saved!, dFeatures: dInputs, context: context) },
            probes: {
                S.parameterProbes(["fpn.lateral.2.weight", "fpn.lateral.5.bias", "fpn.lateral.4.weight", "fpn.output.3.weight",
                                   "fpn.output.5.bias"], store: store)
                    + inputs.indices.map { S.Probe(name: "C\($0 + 2)", value: inputs[$0], gradient: dInputs[$0]) }
            }, store: store)
    }

    func testRPNHead() throws {
        var layout = ParameterLayout()
        let head = RPNHead(channels: 8, anchorsPerLocation: 3, layout: &layout)
        let store = ParameterStore(layout: layout)
        var random = SeededRandom(seed: 4)
        for parameter in store.parameters { store.value(parameter).fillNormal(std: 0.3, random: &random) }
        let context = ModuleContext(store: store, compute: try S.compute())
        let levels = [S.randomTensor([2, 8, 8, 4], random: &random), S.randomTensor([2, 8, 4, 2], random: &random),
                      S.randomTensor([2, 8, 2, 1], random: &random)]
        let dLevels = levels.map { Tensor.zeros(like: $0) }
        var saved: [RPNHead.LevelSaved] = []
        S.checkGradients(
            forward: {
                let result = head.forward(levels, context: context)
                saved = result.saved
                return result.output.objectness + result.output.deltas
            },
            backward: { d in
                head.backward(dObjectness: Array(d[0..<3]), dDeltas: Array(d[3..<6]), saved: saved,
                              dLevels: dLevels, context: context)
            },
            probes: {
                S.parameterProbes(["rpn.conv.weight", "rpn.conv.bias", "rpn.objectness.weight", "rpn.deltas.weight", "rpn.deltas.bias"],
                                  store: store)
                    + levels.indices.map { S.Probe(name: "P\($0 + 2)", value: levels[$0], gradient: dLevels[$0]) }
            }, store: store)
    }

    func testBoxHeadAndPredictor() throws {
        let config = try S.smokeConfig(classes: 5)
        var layout = ParameterLayout()
        let head = BoxHead(config: config.roiHeads.boxHead, channels: 4, pooledSize: 7, layout: &layout)
        let predictor = BoxPredictor(config: config.roiHeads.boxHead, classCount: 5, layout: &layout)
        let store = ParameterStore(layout: layout)
        var random = SeededRandom(seed: 5)
        head.initialize(store, random: &random)
        predictor.initialize(store, random: &random)
        for parameter in store.parameters where parameter.name.contains("predictor") || parameter.name.hasSuffix("bias") {
            store.value(parameter).fillNormal(std: 0.1, random: &random)
        }
        XCTAssertEqual(store["roi_heads.box_predictor.cls_score.weight"]!.shape, [6, 64])
        XCTAssertEqual(store["roi_heads.box_predictor.bbox_pred.weight"]!.shape, [20, 64])
        XCTAssertEqual(predictor.backgroundIndex, 5)
        let context = ModuleContext(store: store, compute: try S.compute())
        let rois = S.randomTensor([6, 4, 7, 7], random: &random)
        let dRoIs = Tensor.zeros(like: rois)
        var saved: (BoxHead.Saved, BoxPredictor.Saved, Tensor)?
        let dFeaturesBuffer = BufferSlot("test.dFeatures")
        S.checkGradients(
            forward: {
                let (features, headSaved) = head.forward(rois, context: context)
                let (logits, deltas, predictorSaved) = predictor.forward(features, context: context)
                saved = (headSaved, predictorSaved, features)
                return [logits, deltas]
            },
            backward: { d in
                let dFeatures = context.buffers.zeroed(dFeaturesBuffer, shape: saved!.2.shape)
                predictor.backward(dLogits: d[0], dDeltas: d[1], saved: saved!.1, dFeatures: dFeatures, context: context)
                head.backward(dFeatures, saved: saved!.0, dRoIFeatures: dRoIs, context: context)
            },
            probes: {
                S.parameterProbes(["roi_heads.box_head.fc1.weight", "roi_heads.box_head.fc1.bias", "roi_heads.box_head.fc2.weight",
                                   "roi_heads.box_predictor.cls_score.weight", "roi_heads.box_predictor.cls_score.bias",
                                   "roi_heads.box_predictor.bbox_pred.weight"], store: store)
                    + [S.Probe(name: "roi features", value: rois, gradient: dRoIs)]
            }, store: store)
    }

    /// Both classifiers, with all K maps and with only each RoI's class map (whose values
    /// must equal the same channel of the full output).
    func testMaskHeadNormedAndLinear() throws {
        for kind in MaskClassifier.allCases {
            for classes in [nil, [2, 0]] as [[Int]?] {
                var layout = ParameterLayout()
                let head = MaskHead(inChannels: 4, convCount: 2, convDim: 16, classCount: 3, classifier: kind, layout: &layout)
                let store = ParameterStore(layout: layout)
                var random = SeededRandom(seed: 6)
                head.initialize(store, random: &random)
                for parameter in store.parameters where parameter.name.hasSuffix("bias") {
                    store.value(parameter).fillNormal(std: 0.1, random: &random)
                }
                if kind == .normed { store.value(store["roi_heads.mask_predictor.weight"]!).fillNormal(std: 1, random: &random) }
                let context = ModuleContext(store: store, compute: try S.compute())
                let rois = S.randomTensor([2, 4, 6, 6], random: &random)
                let dRoIs = Tensor.zeros(like: rois)
                if let classes {
                    let full = Array(head.forward(rois, context: context).logits.buffer)
                    let selected = head.forward(rois, classes: classes, context: context).logits
                    XCTAssertEqual(selected.shape, [2, 1, 12, 12])
                    for (r, k) in classes.enumerated() {
                        for p in 0..<144 {
                            XCTAssertEqual(selected.data[r * 144 + p], full[(r * 3 + k) * 144 + p], accuracy: 1e-5, "\(kind) RoI \(r)")
                        }
                    }
                }
                var saved: MaskHead.Saved?
                S.checkGradients(
                    forward: {
                        let result = head.forward(rois, classes: classes, context: context)
                        saved = result.saved
                        XCTAssertEqual(result.logits.shape, [2, classes == nil ? 3 : 1, 12, 12])
                        return [result.logits]
                    },
                    backward: { d in head.backward(d[0], saved: saved!, dRoIFeatures: dRoIs, context: context) },
                    probes: {
                        // With class selection only the predictor and the routing of dLogits differ:
                        // its parameters and the input gradient (through every layer) are probed.
                        S.parameterProbes((classes == nil ? ["roi_heads.mask_head.conv1.weight", "roi_heads.mask_head.conv2.bias",
                                                             "roi_heads.mask_head.deconv.weight", "roi_heads.mask_head.deconv.bias"] : [])
                                          + ["roi_heads.mask_predictor.weight", "roi_heads.mask_predictor.bias"], store: store)
                            + [S.Probe(name: "roi features", value: rois, gradient: dRoIs)]
                    }, store: store, seed: kind == .normed ? 7 : 8)
            }
        }
    }
}
