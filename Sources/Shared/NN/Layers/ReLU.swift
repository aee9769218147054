// ReLU, in place or out of place. Backward uses the saved *output* (y > 0 iff x > 0), so
// forwarding in place (output == input) loses nothing backward needs.
//
// The loops run as bit-identical AVX-512 or AVX2 C kernels where the CPU has them
// (CKernelsElementwise.h); the Swift SIMD loops here are the baseline path and the oracle.
//
// Legend: count = elements; input, output, dOutput, dInput all have the same shape.
import CKernels
import SharedSupport
@_spi(Kernels) import SharedTensor

public enum ReLU {
    /// What backward needs: the output.
    public struct Saved: @unchecked Sendable {
        public let output: Tensor
    }

    /// output = max(input, 0); output may be input itself. `isa`: the code path (one the host runs).
    @discardableResult
    public static func forward(input: Tensor, output: Tensor, compute: Compute,
                               isa: VectorISA = VectorExtensions.isa) -> Saved {
        precondition(input.count == output.count, "relu output \(output.shape) for input \(input.shape)")
        let x = input.data, y = output.data
        Elementwise.parallelChunks(input.count, compute.parallelism) { range in
            let (x, y, count) = (x + range.lowerBound, y + range.lowerBound, range.count)
            switch isa {
            case .avx512: ck_relu_forward_avx512(x, y, count)
            case .avx2: ck_relu_forward_avx2(x, y, count)
            case .baseline: forwardPortable(x, y, count: count)
            }
        }
        return Saved(output: output)
    }

    /// One chunk of `forward` in Swift SIMD (the baseline path and the oracle of the C kernels):
    /// 16-blocks keep -0 and NaN, the tail is Swift.max(x, 0).
    static func forwardPortable(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            let v = load16(x + i)
            store16(v.replacing(with: 0, where: v .< 0), y + i)
            i += 16
        }
        while i < count { y[i] = Swift.max(x[i], 0); i += 1 }
    }

    /// dInput += dOutput where output > 0. dInput may be dOutput itself (then it is
    /// overwritten with the masked gradient rather than accumulated). `isa`: the code path.
    public static func backward(dOutput: Tensor, saved: Saved, dInput: Tensor, compute: Compute,
                                isa: VectorISA = VectorExtensions.isa) {
        precondition(dOutput.count == saved.output.count && dInput.count == dOutput.count, "relu gradient shapes")
        let y = saved.output.data, dy = dOutput.data, dx = dInput.data
        if dx == dy {
            Elementwise.parallelChunks(dOutput.count, compute.parallelism) { range in
                let (y, dx, count) = (y + range.lowerBound, dx + range.lowerBound, range.count)
                switch isa {
                case .avx512: ck_relu_backward_in_place_avx512(y, dx, count)
                case .avx2: ck_relu_backward_in_place_avx2(y, dx, count)
                case .baseline: maskPortable(y, dx, count: count)
                }
            }
        } else {
            Elementwise.parallelChunks(dOutput.count, compute.parallelism) { range in
                let (y, dy, dx, count) = (y + range.lowerBound, dy + range.lowerBound, dx + range.lowerBound, range.count)
                switch isa {
                case .avx512: ck_relu_backward_accumulate_avx512(y, dy, dx, count)
                case .avx2: ck_relu_backward_accumulate_avx2(y, dy, dx, count)
                case .baseline: accumulatePortable(y, dy, dx, count: count)
                }
            }
        }
    }

    /// dx = 0 where y <= 0, in Swift SIMD (the baseline path and the oracle).
    static func maskPortable(_ y: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            store16(load16(dx + i).replacing(with: 0, where: load16(y + i) .<= 0), dx + i)
            i += 16
        }
        while i < count { if y[i] <= 0 { dx[i] = 0 }; i += 1 }
    }

    /// dx += dy where y > 0, in Swift SIMD (the baseline path and the oracle): 16-blocks add
    /// (y <= 0 ? 0 : dy), the tail (y > 0 ? dy : 0).
    static func accumulatePortable(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                   count: Int) {
        var i = 0
        while i + 16 <= count {
            let g = load16(dy + i).replacing(with: 0, where: load16(y + i) .<= 0)
            store16(load16(dx + i) + g, dx + i)
            i += 16
        }
        while i < count { dx[i] += y[i] > 0 ? dy[i] : 0; i += 1 }
    }
}
