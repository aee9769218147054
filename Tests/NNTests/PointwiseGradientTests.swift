// Finite-difference gradient tests for the norms and the shape ops: GroupNorm, frozen
// BatchNorm, ReLU, max-pool, nearest upsample, add, concat, flatten. Inputs are kept away
// from kinks (ReLU at 0, max-pool ties).
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN
import GradientChecking

final class PointwiseGradientTests: XCTestCase {
    func testGroupNormGradients() throws {
        let compute = try testCompute()
        var random = SeededRandom(seed: 21)
        for (shape, groups) in [([2, 4, 3, 3], 2), ([1, 6, 2, 5], 3), ([2, 3, 4, 4], 1), ([2, 4, 2, 2], 4)] {
            let input = randomTensor(shape, &random)
            let gamma = randomTensor([shape[1]], &random, low: 0.5, high: 1.5)
            let beta = randomTensor([shape[1]], &random)
            let output = Tensor(shape: shape)
            let dInput = Tensor(shape: shape), dGamma = Tensor(shape: [shape[1]]), dBeta = Tensor(shape: [shape[1]])
            checkGradients("GroupNorm \(shape) G=\(groups)", inputs: [
                GradientInput(name: "input", value: input, gradient: dInput),
                GradientInput(name: "gamma", value: gamma, gradient: dGamma),
                GradientInput(name: "beta", value: beta, gradient: dBeta),
            ], forward: {
                GroupNorm.forward(input: input, gamma: gamma, beta: beta, output: output, groups: groups, compute: compute)
                return output
            }, backward: { r in
                let saved = GroupNorm.forward(input: input, gamma: gamma, beta: beta, output: output, groups: groups,
                                              compute: compute)
                GroupNorm.backward(dOutput: r, saved: saved, gamma: gamma, dInput: dInput, dGamma: dGamma, dBeta: dBeta,
                                   compute: compute)
            })
        }
    }

    func testFrozenBatchNormInputGradientAndFolding() throws {
        let compute = try testCompute()
        var random = SeededRandom(seed: 22)
        let weight = randomTensor([3], &random), bias = randomTensor([3], &random)
        let mean = randomTensor([3], &random), variance = randomTensor([3], &random, low: 0.5, high: 2)
        let (scale, shift) = FrozenBatchNorm.fold(weight: weight, bias: bias, runningMean: mean, runningVar: variance)
        let input = randomTensor([2, 3, 2, 3], &random), output = Tensor(shape: input.shape)
        FrozenBatchNorm.forward(input: input, scale: scale, shift: shift, output: output, compute: compute)
        // Against the unfolded eval-mode formula.
        for n in 0..<2 { for c in 0..<3 { for y in 0..<2 { for x in 0..<3 {
            let expected = (input[n, c, y, x] - mean[c]) / (variance[c] + 1e-5).squareRoot() * weight[c] + bias[c]
            XCTAssertEqual(output[n, c, y, x], expected, accuracy: 1e-5)
        } } } }
        let dInput = Tensor(shape: input.shape)
        checkGradients("frozen BN", inputs: [GradientInput(name: "input", value: input, gradient: dInput)], forward: {
            FrozenBatchNorm.forward(input: input, scale: scale, shift: shift, output: output, compute: compute)
            return output
        }, backward: { r in
            FrozenBatchNorm.backward(dOutput: r, scale: scale, dInput: dInput, compute: compute)
        })
    }

    func testReLUGradientsOutOfPlaceAndInPlace() throws {
        let compute = try testCompute()
        var random = SeededRandom(seed: 23)
        let input = randomTensor([2, 3, 4, 5], &random)
        for i in 0..<input.count where abs(input.data[i]) < 0.05 { input.data[i] = 0.1 }   // away from the kink
        let output = Tensor(shape: input.shape), dInput = Tensor(shape: input.shape)
        checkGradients("relu", inputs: [GradientInput(name: "input", value: input, gradient: dInput)], forward: {
            ReLU.forward(input: input, output: output, compute: compute)
            return output
        }, backward: { r in
            let saved = ReLU.forward(input: input, output: output, compute: compute)
            ReLU.backward(dOutput: r, saved: saved, dInput: dInput, compute: compute)
        })
        // In place: forward overwrites its input, backward masks dOutput in place.
        let x = input.clone()
        let saved = ReLU.forward(input: x, output: x, compute: compute)
        XCTAssertEqual(x.toArray(), input.toArray().map { max($0, 0) })
        let dy = randomTensor(input.shape, &random), expected = dy.toArray()
        ReLU.backward(dOutput: dy, saved: saved, dInput: dy, compute: compute)
        for i in 0..<dy.count { XCTAssertEqual(dy.data[i], input.data[i] > 0 ? expected[i] : 0) }
    }

    func testMaxPoolGradients() throws {
        let compute = try testCompute()
        var random = SeededRandom(seed: 24)
        for (shape, pool) in [([2, 2, 7, 6], MaxPoolShape(kernel: 3, stride: 2, padding: 1)),
                              ([1, 3, 5, 5], MaxPoolShape(kernel: 1, stride: 2))] {
            // Distinct values spaced more than 2 steps apart: no ties, no argmax flips.
            let count = elementCount(shape)
            var values = (0..<count).map { Float($0) * 0.1 - Float(count) * 0.05 }
            values.shuffle(using: &random)
            let input = Tensor(shape: shape, values: values)
            let output = Tensor(shape: pool.outputShape(input: shape)), dInput = Tensor(shape: shape)
            checkGradients("maxpool \(pool)", inputs: [GradientInput(name: "input", value: input, gradient: dInput)],
                           forward: {
                MaxPool2D.forward(input: input, output: output, shape: pool, compute: compute)
                return output
            }, backward: { r in
                let saved = MaxPool2D.forward(input: input, output: output, shape: pool, compute: compute)
                MaxPool2D.backward(dOutput: r, saved: saved, dInput: dInput, compute: compute)
            })
        }
    }

    func testUpsampleAddConcatFlattenGradients() throws {
        let compute = try testCompute()
        var random = SeededRandom(seed: 25)
        let small = randomTensor([2, 3, 2, 3], &random), up = Tensor(shape: [2, 3, 4, 6]), dSmall = Tensor(shape: small.shape)
        checkGradients("upsample", inputs: [GradientInput(name: "input", value: small, gradient: dSmall)], forward: {
            Upsample2x.forward(input: small, output: up, compute: compute)
            return up
        }, backward: { r in Upsample2x.backward(dOutput: r, dInput: dSmall, compute: compute) })

        let a = randomTensor([2, 3, 4, 5], &random), b = randomTensor([2, 3, 4, 5], &random)
        let sum = Tensor(shape: a.shape), dA = Tensor(shape: a.shape), dB = Tensor(shape: a.shape)
        checkGradients("add", inputs: [GradientInput(name: "a", value: a, gradient: dA),
                                       GradientInput(name: "b", value: b, gradient: dB)], forward: {
            Add.forward(a, b, output: sum, compute: compute)
            return sum
        }, backward: { r in Add.backward(dOutput: r, dA: dA, dB: dB, compute: compute) })

        let c1 = randomTensor([2, 2, 3, 3], &random), c2 = randomTensor([2, 3, 3, 3], &random)
        let joined = Tensor(shape: [2, 5, 3, 3]), d1 = Tensor(shape: c1.shape), d2 = Tensor(shape: c2.shape)
        checkGradients("concat", inputs: [GradientInput(name: "first", value: c1, gradient: d1),
                                          GradientInput(name: "second", value: c2, gradient: d2)], forward: {
            Concat.forward([c1, c2], output: joined, compute: compute)
            return joined
        }, backward: { r in Concat.backward(dOutput: r, dInputs: [d1, d2], channels: [2, 3], compute: compute) })
        XCTAssertEqual(joined[1, 3, 2, 1], c2[1, 1, 2, 1])

        let image = randomTensor([3, 2, 2, 2], &random), dImage = Tensor(shape: image.shape)
        let flat = Flatten.forward(image)
        XCTAssertEqual(flat.shape, [3, 8])
        checkGradients("flatten", inputs: [GradientInput(name: "input", value: image, gradient: dImage)], forward: {
            Flatten.forward(image).clone()
        }, backward: { r in Flatten.backward(dOutput: r, dInput: dImage) })
    }
}
