// Finite-difference gradient tests for the GEMM-backed layers: conv2d (3x3, strided,
// pointwise, Winograd, batch 1 and 2), conv-transpose 2x2/2, linear, and the normed 1x1 conv.
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN
import GradientChecking

final class ConvolutionGradientTests: XCTestCase {
    func testConv2DGradients() throws {
        let compute = try testCompute()
        let workspace = Workspace()
        let cases: [(Conv2DShape, [Int], Bool)] = [
            (Conv2DShape(inChannels: 3, outChannels: 4, kernel: 3, stride: 1, padding: 1), [2, 3, 5, 6], true),
            (Conv2DShape(inChannels: 2, outChannels: 3, kernel: 3, stride: 2, padding: 1), [1, 2, 7, 7], true),
            (Conv2DShape(inChannels: 3, outChannels: 2, kernel: 1, stride: 1, padding: 0), [2, 3, 4, 4], false),
            (Conv2DShape(inChannels: 2, outChannels: 2, kernel: 1, stride: 2, padding: 0), [2, 2, 5, 5], true),
            (Conv2DShape(inChannels: 1, outChannels: 2, kernelH: 7, kernelW: 7, stride: 2, padding: 3), [2, 1, 9, 8], true),
            // Image groups: 900 columns -> 3 images per GEMM, so groups of 3 and 1.
            (Conv2DShape(inChannels: 2, outChannels: 3, kernel: 3, stride: 1, padding: 1), [4, 2, 30, 30], true),
            // 2116 columns -> one image per GEMM.
            (Conv2DShape(inChannels: 1, outChannels: 2, kernel: 3, stride: 1, padding: 1), [2, 1, 46, 46], true),
            // Winograd F(2x2, 3x3): 32 channels, 84 output tiles, odd width.
            (Conv2DShape(inChannels: 32, outChannels: 40, kernel: 3, stride: 1, padding: 1), [2, 32, 11, 13], true),
        ]
        XCTAssertTrue(Conv2D.usesWinograd(cases.last!.0, input: cases.last!.1))
        var random = SeededRandom(seed: 11)
        for (shape, inputShape, hasBias) in cases {
            let input = randomTensor(inputShape, &random)
            let weight = randomTensor(shape.weightShape, &random)
            let bias = hasBias ? randomTensor([shape.outChannels], &random) : nil
            let output = Tensor(shape: shape.outputShape(input: inputShape))
            let dInput = Tensor(shape: inputShape), dWeight = Tensor(shape: shape.weightShape)
            let dBias = Tensor(shape: [shape.outChannels])
            var inputs = [GradientInput(name: "input", value: input, gradient: dInput),
                          GradientInput(name: "weight", value: weight, gradient: dWeight)]
            if let bias { inputs.append(GradientInput(name: "bias", value: bias, gradient: dBias)) }
            checkGradients("conv \(shape) on \(inputShape)", inputs: inputs, forward: {
                Conv2D.forward(input: input, weight: weight, bias: bias, output: output, shape: shape,
                               compute: compute, workspace: workspace)
                return output
            }, backward: { r in
                let saved = Conv2D.forward(input: input, weight: weight, bias: bias, output: output, shape: shape,
                                           compute: compute, workspace: workspace)
                Conv2D.backward(dOutput: r, saved: saved, weight: weight, dInput: dInput, dWeight: dWeight,
                                dBias: hasBias ? dBias : nil, shape: shape, compute: compute, workspace: workspace)
            })
        }
    }

    func testConvTranspose2x2Gradients() throws {
        let compute = try testCompute()
        let workspace = Workspace()
        var random = SeededRandom(seed: 12)
        for n in [1, 3] {
            let input = randomTensor([n, 3, 3, 4], &random), weight = randomTensor([3, 2, 2, 2], &random)
            let bias = randomTensor([2], &random)
            let output = Tensor(shape: [n, 2, 6, 8])
            let dInput = Tensor(shape: input.shape), dWeight = Tensor(shape: weight.shape), dBias = Tensor(shape: [2])
            checkGradients("deconv n=\(n)", inputs: [
                GradientInput(name: "input", value: input, gradient: dInput),
                GradientInput(name: "weight", value: weight, gradient: dWeight),
                GradientInput(name: "bias", value: bias, gradient: dBias),
            ], forward: {
                ConvTranspose2x2.forward(input: input, weight: weight, bias: bias, output: output, compute: compute,
                                         workspace: workspace)
                return output
            }, backward: { r in
                let saved = ConvTranspose2x2.forward(input: input, weight: weight, bias: bias, output: output,
                                                     compute: compute, workspace: workspace)
                ConvTranspose2x2.backward(dOutput: r, saved: saved, weight: weight, dInput: dInput, dWeight: dWeight,
                                          dBias: dBias, compute: compute, workspace: workspace)
            })
        }
    }

    func testLinearGradients() throws {
        let compute = try testCompute()
        var random = SeededRandom(seed: 13)
        let input = randomTensor([4, 2, 3, 1], &random), weight = randomTensor([5, 6], &random)
        let bias = randomTensor([5], &random)
        let output = Tensor(shape: [4, 5])
        let dInput = Tensor(shape: input.shape), dWeight = Tensor(shape: weight.shape), dBias = Tensor(shape: [5])
        checkGradients("linear", inputs: [
            GradientInput(name: "input", value: input, gradient: dInput),
            GradientInput(name: "weight", value: weight, gradient: dWeight),
            GradientInput(name: "bias", value: bias, gradient: dBias),
        ], forward: {
            Linear.forward(input: input, weight: weight, bias: bias, output: output, compute: compute)
            return output
        }, backward: { r in
            let saved = Linear.forward(input: input, weight: weight, bias: bias, output: output, compute: compute)
            Linear.backward(dOutput: r, saved: saved, weight: weight, dInput: dInput, dWeight: dWeight, dBias: dBias,
                            compute: compute)
        })
    }

    func testNormedConv1x1Gradients() throws {
        let compute = try testCompute()
        let workspace = Workspace()
        var random = SeededRandom(seed: 14)
        let input = randomTensor([2, 4, 3, 3], &random), weight = randomTensor([3, 4, 1, 1], &random)
        let bias = randomTensor([3], &random)
        let output = Tensor(shape: [2, 3, 3, 3])
        let dInput = Tensor(shape: input.shape), dWeight = Tensor(shape: weight.shape), dBias = Tensor(shape: [3])
        checkGradients("normed conv", inputs: [
            GradientInput(name: "input", value: input, gradient: dInput),
            GradientInput(name: "weight", value: weight, gradient: dWeight),
            GradientInput(name: "bias", value: bias, gradient: dBias),
        ], forward: {
            NormedConv1x1.forward(input: input, weight: weight, bias: bias, output: output, compute: compute)
            return output
        }, backward: { r in
            let saved = NormedConv1x1.forward(input: input, weight: weight, bias: bias, output: output, compute: compute)
            NormedConv1x1.backward(dOutput: r, saved: saved, weight: weight, dInput: dInput, dWeight: dWeight,
                                   dBias: dBias, compute: compute, workspace: workspace)
        })
    }
}
