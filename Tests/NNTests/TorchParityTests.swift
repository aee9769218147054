// Parity with PyTorch: forward outputs and the gradients of sum(out * R) for every input
// and parameter, against Tests/NNTests/Fixtures/layers.safetensors, written by
// scripts/fixtures/make_layer_fixtures.py. Tolerance 1e-4 relative (plus a tiny absolute
// floor for values near zero).
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN

final class TorchParityTests: XCTestCase {
    var fixtures = SafetensorsFile()

    override func setUpWithError() throws {
        let here = "\(#filePath)"
        let path = here[..<here.lastIndex(of: "/")!] + "/Fixtures/layers.safetensors"
        fixtures = try SafetensorsFile.read(from: String(path), hint: "run scripts/fixtures/make_layer_fixtures.py")
    }

    /// The fixture tensor `name` as a Tensor of its stored shape.
    func tensor(_ name: String) throws -> Tensor {
        guard let stored = fixtures[name] else { throw ToolError("fixture tensor \(name) missing") }
        return Tensor(shape: stored.shape, values: stored.floatValues())
    }

    /// A zero tensor shaped like fixture `name`.
    func zeros(like name: String) throws -> Tensor { Tensor(shape: try tensor(name).shape) }

    func expectClose(_ ours: Tensor, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try tensor(name)
        XCTAssertEqual(ours.count, reference.count, "\(name) size", file: file, line: line)
        assertClose(ours.toArray(), reference.toArray(), absolute: 2e-5, relative: 1e-4, name, file: file, line: line)
    }

    func testConvolutions() throws {
        let compute = try testCompute(), workspace = Workspace()
        // (fixture, stride, padding, has bias); kernel sizes come from the stored weights.
        let cases = [("conv3x3", 1, 1, true), ("conv3x3s2", 2, 1, true), ("conv7x7s2", 2, 3, true), ("conv1x1", 1, 0, false)]
        for (name, stride, padding, hasBias) in cases {
            let input = try tensor("\(name).input"), weight = try tensor("\(name).weight")
            let bias = hasBias ? try tensor("\(name).bias") : nil
            let shape = Conv2DShape(inChannels: weight.dimension(1), outChannels: weight.dimension(0),
                                    kernelH: weight.dimension(2), kernelW: weight.dimension(3), stride: stride, padding: padding)
            let output = Tensor(shape: shape.outputShape(input: input.shape))
            let saved = Conv2D.forward(input: input, weight: weight, bias: bias, output: output, shape: shape,
                                       compute: compute, workspace: workspace)
            try expectClose(output, "\(name).output")
            let dInput = Tensor(shape: input.shape), dWeight = Tensor(shape: weight.shape)
            let dBias = Tensor(shape: [shape.outChannels])
            Conv2D.backward(dOutput: try tensor("\(name).r"), saved: saved, weight: weight, dInput: dInput, dWeight: dWeight,
                            dBias: hasBias ? dBias : nil, shape: shape, compute: compute, workspace: workspace)
            try expectClose(dInput, "\(name).grad_input")
            try expectClose(dWeight, "\(name).grad_weight")
            if hasBias { try expectClose(dBias, "\(name).grad_bias") }
        }
    }

    func testConvTransposeAndLinear() throws {
        let compute = try testCompute(), workspace = Workspace()
        do {
            let input = try tensor("deconv.input"), weight = try tensor("deconv.weight"), bias = try tensor("deconv.bias")
            let output = try zeros(like: "deconv.output")
            let saved = ConvTranspose2x2.forward(input: input, weight: weight, bias: bias, output: output, compute: compute,
                                                 workspace: workspace)
            try expectClose(output, "deconv.output")
            let dInput = Tensor(shape: input.shape), dWeight = Tensor(shape: weight.shape), dBias = Tensor(shape: bias.shape)
            ConvTranspose2x2.backward(dOutput: try tensor("deconv.r"), saved: saved, weight: weight, dInput: dInput,
                                      dWeight: dWeight, dBias: dBias, compute: compute, workspace: workspace)
            try expectClose(dInput, "deconv.grad_input")
            try expectClose(dWeight, "deconv.grad_weight")
            try expectClose(dBias, "deconv.grad_bias")
        }
        do {
            let input = try tensor("linear.input"), weight = try tensor("linear.weight"), bias = try tensor("linear.bias")
            let output = try zeros(like: "linear.output")
            let saved = Linear.forward(input: input, weight: weight, bias: bias, output: output, compute: compute)
            try expectClose(output, "linear.output")
            let dInput = Tensor(shape: input.shape), dWeight = Tensor(shape: weight.shape), dBias = Tensor(shape: bias.shape)
            Linear.backward(dOutput: try tensor("linear.r"), saved: saved, weight: weight, dInput: dInput, dWeight: dWeight,
                            dBias: dBias, compute: compute)
            try expectClose(dInput, "linear.grad_input")
            try expectClose(dWeight, "linear.grad_weight")
            try expectClose(dBias, "linear.grad_bias")
        }
    }

    func testGroupNorm() throws {
        let compute = try testCompute()
        let input = try tensor("groupnorm.input"), gamma = try tensor("groupnorm.weight"), beta = try tensor("groupnorm.bias")
        let output = Tensor(shape: input.shape)
        let saved = GroupNorm.forward(input: input, gamma: gamma, beta: beta, output: output, groups: 3, compute: compute)
        try expectClose(output, "groupnorm.output")
        let dInput = Tensor(shape: input.shape), dGamma = Tensor(shape: gamma.shape), dBeta = Tensor(shape: beta.shape)
        GroupNorm.backward(dOutput: try tensor("groupnorm.r"), saved: saved, gamma: gamma, dInput: dInput, dGamma: dGamma,
                           dBeta: dBeta, compute: compute)
        try expectClose(dInput, "groupnorm.grad_input")
        try expectClose(dGamma, "groupnorm.grad_weight")
        try expectClose(dBeta, "groupnorm.grad_bias")
    }

    func testPoolingAndUpsampling() throws {
        let compute = try testCompute()
        for (name, pool) in [("maxpool3x3s2", MaxPoolShape(kernel: 3, stride: 2, padding: 1)),
                             ("maxpool1x1s2", MaxPoolShape(kernel: 1, stride: 2))] {
            let input = try tensor("\(name).input"), output = try zeros(like: "\(name).output")
            let saved = MaxPool2D.forward(input: input, output: output, shape: pool, compute: compute)
            try expectClose(output, "\(name).output")
            let dInput = Tensor(shape: input.shape)
            MaxPool2D.backward(dOutput: try tensor("\(name).r"), saved: saved, dInput: dInput, compute: compute)
            try expectClose(dInput, "\(name).grad_input")
        }
        let input = try tensor("upsample.input"), output = try zeros(like: "upsample.output")
        Upsample2x.forward(input: input, output: output, compute: compute)
        try expectClose(output, "upsample.output")
        let dInput = Tensor(shape: input.shape)
        Upsample2x.backward(dOutput: try tensor("upsample.r"), dInput: dInput, compute: compute)
        try expectClose(dInput, "upsample.grad_input")
    }

    func testNormedConv() throws {
        let compute = try testCompute()
        let input = try tensor("normedconv.input"), weight = try tensor("normedconv.weight")
        let bias = try tensor("normedconv.bias"), output = try zeros(like: "normedconv.output")
        let saved = NormedConv1x1.forward(input: input, weight: weight, bias: bias, output: output, compute: compute)
        try expectClose(output, "normedconv.output")
        let dInput = Tensor(shape: input.shape), dWeight = Tensor(shape: weight.shape), dBias = Tensor(shape: bias.shape)
        NormedConv1x1.backward(dOutput: try tensor("normedconv.r"), saved: saved, weight: weight, dInput: dInput,
                               dWeight: dWeight, dBias: dBias, compute: compute, workspace: Workspace())
        try expectClose(dInput, "normedconv.grad_input")
        try expectClose(dWeight, "normedconv.grad_weight")
        try expectClose(dBias, "normedconv.grad_bias")
    }
}
