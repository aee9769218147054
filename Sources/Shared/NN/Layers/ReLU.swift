// ReLU, in place or out of place. Backward uses the saved *output* (y > 0 iff x > 0), so
// forwarding in place (output == input) loses nothing backward needs.
//
// Legend: count = elements; input, output, dOutput, dInput all have the same shape.
import SharedSupport
import SharedTensor

public enum ReLU {
    /// What backward needs: the output.
    public struct Saved: @unchecked Sendable {
        public let output: Tensor
    }

    /// output = max(input, 0); output may be input itself.
    @discardableResult
    public static func forward(input: Tensor, output: Tensor, compute: Compute) -> Saved {
        precondition(input.count == output.count, "relu output \(output.shape) for input \(input.shape)")
        let x = input.data, y = output.data
        Elementwise.parallelChunks(input.count, compute.parallelism) { range in
            var i = range.lowerBound
            while i + 16 <= range.upperBound {
                let v = load16(x + i)
                store16(v.replacing(with: 0, where: v .< 0), y + i)
                i += 16
            }
            while i < range.upperBound { y[i] = Swift.max(x[i], 0); i += 1 }
        }
        return Saved(output: output)
    }

    /// dInput += dOutput where output > 0. dInput may be dOutput itself (then it is
    /// overwritten with the masked gradient rather than accumulated).
    public static func backward(dOutput: Tensor, saved: Saved, dInput: Tensor, compute: Compute) {
        precondition(dOutput.count == saved.output.count && dInput.count == dOutput.count, "relu gradient shapes")
        let y = saved.output.data, dy = dOutput.data, dx = dInput.data
        if dx == dy {
            Elementwise.parallelChunks(dOutput.count, compute.parallelism) { range in
                var i = range.lowerBound
                while i + 16 <= range.upperBound {
                    store16(load16(dx + i).replacing(with: 0, where: load16(y + i) .<= 0), dx + i)
                    i += 16
                }
                while i < range.upperBound { if y[i] <= 0 { dx[i] = 0 }; i += 1 }
            }
        } else {
            Elementwise.parallelChunks(dOutput.count, compute.parallelism) { range in
                var i = range.lowerBound
                while i + 16 <= range.upperBound {
                    let g = load16(dy + i).replacing(with: 0, where: load16(y + i) .<= 0)
                    store16(load16(dx + i) + g, dx + i)
                    i += 16
                }
                while i < range.upperBound { dx[i] += y[i] > 0 ? dy[i] : 0; i += 1 }
            }
        }
    }
}
