// The shape-only ops: add (residuals, FPN lateral + top-down), concat over channels, and
// flatten. None has parameters or saved state beyond shapes.
//
// Legend: N = batch, C_i = channels of input i, P = pixels per image (H*W).
import SharedSupport
@_spi(Kernels) import SharedTensor

public enum Add {
    /// output = a + b (output may alias a or b).
    public static func forward(_ a: Tensor, _ b: Tensor, output: Tensor, compute: Compute) {
        precondition(a.shape == b.shape && output.count == a.count, "add of \(a.shape) and \(b.shape) into \(output.shape)")
        let x = a.data, y = b.data, z = output.data
        Elementwise.parallelChunks(a.count, compute.parallelism) { range in
            Elementwise.add(x + range.lowerBound, y + range.lowerBound, into: z + range.lowerBound, count: range.count)
        }
    }

    /// dA += dOutput, dB += dOutput (either may be nil).
    public static func backward(dOutput: Tensor, dA: Tensor?, dB: Tensor?, compute: Compute) {
        let dy = dOutput.data
        for target in [dA, dB].compactMap({ $0 }) {
            precondition(target.count == dOutput.count, "add gradient shapes")
            precondition(target.data != dy, "add backward: a gradient may not share storage with dOutput (it would double)")
            let dx = target.data
            Elementwise.parallelChunks(dOutput.count, compute.parallelism) { range in
                Elementwise.accumulate(dy + range.lowerBound, into: dx + range.lowerBound, count: range.count)
            }
        }
    }
}

public enum Concat {
    public static func outputShape(inputs: [[Int]]) -> [Int] {
        precondition(!inputs.isEmpty && inputs.allSatisfy { $0.count == 4 }, "concat expects NCHW inputs")
        let first = inputs[0]
        precondition(inputs.allSatisfy { $0[0] == first[0] && $0[2] == first[2] && $0[3] == first[3] },
                     "concat inputs differ outside channels: \(inputs)")
        return [first[0], inputs.reduce(0) { $0 + $1[1] }, first[2], first[3]]
    }

    /// output[:, channels of input i] = input i.
    public static func forward(_ inputs: [Tensor], output: Tensor, compute: Compute) {
        precondition(output.shape == outputShape(inputs: inputs.map(\.shape)), "concat output \(output.shape)")
        let n = output.n, p = output.h * output.w, total = output.c
        var start = 0
        for input in inputs {
            let c = input.c
            compute.parallelism.forEach(n, minimumChunk: 1) { image in
                (output.data + (image * total + start) * p).update(from: input.data + image * c * p, count: c * p)
            }
            start += c
        }
    }

    /// dInput_i += dOutput[:, channels of input i] (nil entries are skipped).
    public static func backward(dOutput: Tensor, dInputs: [Tensor?], channels: [Int], compute: Compute) {
        precondition(dInputs.count == channels.count && channels.reduce(0, +) == dOutput.c, "concat gradient shapes")
        let n = dOutput.n, p = dOutput.h * dOutput.w, total = dOutput.c
        var start = 0
        for (dInput, c) in zip(dInputs, channels) {
            if let dInput {
                precondition(dInput.count == n * c * p, "concat dInput \(dInput.shape)")
                compute.parallelism.forEach(n, minimumChunk: 1) { image in
                    Elementwise.accumulate(dOutput.data + (image * total + start) * p, into: dInput.data + image * c * p,
                                           count: c * p)
                }
            }
            start += c
        }
    }
}

public enum Flatten {
    /// [N, ...] -> [N, rest]: a view of the same floats (no copy).
    public static func forward(_ input: Tensor) -> Tensor {
        let n = input.dimension(0)
        return input.reshaped([n, input.count / max(1, n)])
    }

    /// dInput += dOutput reshaped back (counts must match). When dOutput is a view of
    /// dInput's own floats (the flattened gradient written in place) there is nothing to do.
    public static func backward(dOutput: Tensor, dInput: Tensor) {
        precondition(dOutput.count == dInput.count, "flatten gradient shapes")
        if dOutput.data == dInput.data { return }
        Elementwise.accumulate(dOutput.data, into: dInput.data, count: dInput.count)
    }
}
