// A small network built from the layer structs and one ParameterStore, checked end to end
// with finite differences: the bindings read weights from the store, accumulate gradients
// into it, chain saved states correctly, and skip frozen parameters.
//   x -> conv3x3(+b) -> GroupNorm -> ReLU (in place) -> maxpool 3x3/2 -> conv1x1 -> upsample 2x
//     (+ skip: conv1x1/2 of x, upsampled) -> deconv 2x2 -> normed 1x1 -> flatten -> linear
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN
import GradientChecking

final class LayerCompositionTests: XCTestCase {
    struct Net {
        let conv1: Conv2DLayer, norm: GroupNormLayer, conv2: Conv2DLayer, skip: Conv2DLayer
        let frozenBN: FrozenBatchNormLayer
        let deconv: ConvTranspose2x2Layer, classifier: NormedConv1x1Layer, fc: LinearLayer
        let pool = MaxPoolShape(kernel: 3, stride: 2, padding: 1)

        init(layout: inout ParameterLayout) {
            conv1 = Conv2DLayer("conv1", Conv2DShape(inChannels: 2, outChannels: 4, kernel: 3, stride: 1, padding: 1),
                                bias: true, layout: &layout)
            norm = GroupNormLayer("norm", channels: 4, groups: 2, layout: &layout)
            conv2 = Conv2DLayer("conv2", Conv2DShape(inChannels: 4, outChannels: 3, kernel: 1), bias: false, layout: &layout)
            skip = Conv2DLayer("skip", Conv2DShape(inChannels: 2, outChannels: 3, kernel: 1, stride: 2), bias: true,
                               layout: &layout)
            frozenBN = FrozenBatchNormLayer("bn", channels: 3, layout: &layout)
            deconv = ConvTranspose2x2Layer("deconv", inChannels: 3, outChannels: 3, layout: &layout)
            classifier = NormedConv1x1Layer("cls", inChannels: 3, classes: 2, layout: &layout)
            fc = LinearLayer("fc", inFeatures: 2 * 8 * 8, outFeatures: 3, layout: &layout)
        }
    }

    func testGradientsThroughAComposedNetwork() throws {
        let compute = try testCompute(), workspace = Workspace()
        var layout = ParameterLayout()
        let net = Net(layout: &layout)
        let store = ParameterStore(layout: layout)
        var random = SeededRandom(seed: 61)
        for layer in [net.conv1, net.conv2, net.skip] { layer.initialize(store, random: &random) }
        net.norm.initialize(store, random: &random)
        net.frozenBN.initialize(store, random: &random)
        store.value(net.frozenBN.runningVar).fill(2)
        net.deconv.initialize(store, random: &random)
        net.classifier.initialize(store, random: &random)
        store.value(net.classifier.weight).fillUniform(low: -1, high: 1, random: &random)
        net.fc.initialize(store, random: &random)
        store.setFrozen(net.conv2.weight, true)

        let n = 2
        let x = randomTensor([n, 2, 8, 8], &random), dx = Tensor(shape: x.shape)
        // Activations and their gradients, allocated once (a memory plan in miniature).
        let a1 = Tensor(shape: [n, 4, 8, 8]), a2 = Tensor(shape: [n, 4, 8, 8]), a3 = Tensor(shape: [n, 4, 4, 4])
        let a4 = Tensor(shape: [n, 3, 4, 4]), a5 = Tensor(shape: [n, 3, 8, 8]), s1 = Tensor(shape: [n, 3, 4, 4])
        let s2 = Tensor(shape: [n, 3, 8, 8]), sum = Tensor(shape: [n, 3, 8, 8]), bn = Tensor(shape: [n, 3, 8, 8])
        let a6 = Tensor(shape: [n, 3, 16, 16]), logits = Tensor(shape: [n, 2, 16, 16])
        let pooled = Tensor(shape: [n, 2, 8, 8]), out = Tensor(shape: [n, 3])

        struct Saved {
            var c1: Conv2D.Saved, gn: GroupNorm.Saved, relu: ReLU.Saved, mp: MaxPool2D.Saved, c2: Conv2D.Saved
            var sk: Conv2D.Saved, dc: ConvTranspose2x2.Saved, nc: NormedConv1x1.Saved, fc: Linear.Saved, mp2: MaxPool2D.Saved
        }
        func forward() -> Saved {
            let c1 = net.conv1.forward(x, output: a1, store: store, compute: compute, workspace: workspace)
            let gn = net.norm.forward(a1, output: a2, store: store, compute: compute)
            let relu = ReLU.forward(input: a2, output: a2, compute: compute)
            let mp = MaxPool2D.forward(input: a2, output: a3, shape: net.pool, compute: compute)
            let c2 = net.conv2.forward(a3, output: a4, store: store, compute: compute, workspace: workspace)
            Upsample2x.forward(input: a4, output: a5, compute: compute)
            let sk = net.skip.forward(x, output: s1, store: store, compute: compute, workspace: workspace)
            Upsample2x.forward(input: s1, output: s2, compute: compute)
            Add.forward(a5, s2, output: sum, compute: compute)
            net.frozenBN.forward(sum, output: bn, store: store, compute: compute)
            let dc = net.deconv.forward(bn, output: a6, store: store, compute: compute, workspace: workspace)
            let nc = net.classifier.forward(a6, output: logits, store: store, compute: compute)
            let mp2 = MaxPool2D.forward(input: logits, output: pooled, shape: MaxPoolShape(kernel: 1, stride: 2),
                                        compute: compute)
            let fc = net.fc.forward(Flatten.forward(pooled), output: out, store: store, compute: compute)
            return Saved(c1: c1, gn: gn, relu: relu, mp: mp, c2: c2, sk: sk, dc: dc, nc: nc, fc: fc, mp2: mp2)
        }
        func backward(_ dOut: Tensor) {
            let saved = forward()
            let g = { (like: Tensor) in Tensor(shape: like.shape) }
            let dPooled = g(pooled), dLogits = g(logits), dA6 = g(a6), dBN = g(bn), dSum = g(sum)
            let dS2 = g(s2), dS1 = g(s1), dA5 = g(a5), dA4 = g(a4), dA3 = g(a3), dA2 = g(a2), dA1 = g(a1)
            net.fc.backward(dOut, saved: saved.fc, dInput: Flatten.forward(dPooled), store: store, compute: compute)
            MaxPool2D.backward(dOutput: dPooled, saved: saved.mp2, dInput: dLogits, compute: compute)
            net.classifier.backward(dLogits, saved: saved.nc, dInput: dA6, store: store, compute: compute, workspace: workspace)
            net.deconv.backward(dA6, saved: saved.dc, dInput: dBN, store: store, compute: compute, workspace: workspace)
            net.frozenBN.backward(dBN, dInput: dSum, store: store, compute: compute)
            Add.backward(dOutput: dSum, dA: dA5, dB: dS2, compute: compute)
            Upsample2x.backward(dOutput: dS2, dInput: dS1, compute: compute)
            net.skip.backward(dS1, saved: saved.sk, dInput: dx, store: store, compute: compute, workspace: workspace)
            Upsample2x.backward(dOutput: dA5, dInput: dA4, compute: compute)
            net.conv2.backward(dA4, saved: saved.c2, dInput: dA3, store: store, compute: compute, workspace: workspace)
            MaxPool2D.backward(dOutput: dA3, saved: saved.mp, dInput: dA2, compute: compute)
            ReLU.backward(dOutput: dA2, saved: saved.relu, dInput: dA2, compute: compute)
            net.norm.backward(dA2, saved: saved.gn, dInput: dA1, store: store, compute: compute)
            net.conv1.backward(dA1, saved: saved.c1, dInput: dx, store: store, compute: compute, workspace: workspace)
        }
        var inputs = [GradientInput(name: "x", value: x, gradient: dx)]
        for parameter in store.trainable where !parameter.name.hasPrefix("bn.") {
            inputs.append(GradientInput(name: parameter.name, value: store.value(parameter), gradient: store.gradient(parameter)))
        }
        checkGradients("composed network", inputs: inputs, forward: { _ = forward(); return out }, backward: backward,
                       options: GradientCheckOptions(entries: 4))

        // Frozen parameters receive nothing.
        store.zeroGradients()
        backward(randomTensor(out.shape, &random))
        XCTAssertEqual(store.gradient(net.conv2.weight).maxAbs(), 0)
        XCTAssertEqual(store.gradient(net.frozenBN.weight).maxAbs(), 0)
        XCTAssertGreaterThan(store.gradient(net.conv1.weight).maxAbs(), 0)
    }
}
