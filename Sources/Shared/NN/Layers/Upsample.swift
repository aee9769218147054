// Nearest-neighbour 2x upsampling (FPN top-down path): each input pixel becomes a 2x2 block.
//
// Forward runs as an AVX-512 or AVX2 C kernel where the CPU has it (a copy, so exact).
//
// Legend: N = batch, C = channels, H x W = input. input [N, C, H, W], output [N, C, 2H, 2W].
import CKernels
import SharedSupport
@_spi(Kernels) import SharedTensor

public enum Upsample2x {
    public static func outputShape(input: [Int]) -> [Int] {
        precondition(input.count == 4, "upsample expects NCHW, got \(input)")
        return [input[0], input[1], input[2] * 2, input[3] * 2]
    }

    /// output[n, c, 2y+i, 2x+j] = input[n, c, y, x]. No saved state (shapes suffice).
    /// `isa`: the code path (one the host runs).
    public static func forward(input: Tensor, output: Tensor, compute: Compute, isa: VectorISA = VectorExtensions.isa) {
        precondition(output.shape == outputShape(input: input.shape), "upsample output \(output.shape)")
        let h = input.h, w = input.w
        let x = input.data, y = output.data
        compute.parallelism.forEach(input.n * input.c, minimumChunk: max(1, 16384 / max(1, h * w))) { plane in
            let src = x + plane * h * w, dst = y + plane * 4 * h * w
            switch isa {
            case .avx512: ck_upsample_2x_plane_avx512(src, h, w, dst)
            case .avx2: ck_upsample_2x_plane_avx2(src, h, w, dst)
            case .baseline: upsamplePlane(src, h: h, w: w, into: dst)
            }
        }
    }

    /// One plane, src [H, W] -> dst [2H, 2W], in Swift (the baseline path and the test oracle).
    static func upsamplePlane(_ src: UnsafePointer<Float>, h: Int, w: Int, into dst: UnsafeMutablePointer<Float>) {
        for iy in 0..<h {
            let row0 = dst + (2 * iy) * 2 * w, row1 = row0 + 2 * w, line = src + iy * w
            for ix in 0..<w {
                let v = line[ix]
                row0[2 * ix] = v; row0[2 * ix + 1] = v
            }
            row1.update(from: row0, count: 2 * w)
        }
    }

    /// dInput[n, c, y, x] += sum of the 2x2 block of dOutput.
    public static func backward(dOutput: Tensor, dInput: Tensor, compute: Compute) {
        precondition(dOutput.shape == outputShape(input: dInput.shape), "upsample gradient shapes")
        let h = dInput.h, w = dInput.w
        let dy = dOutput.data, dx = dInput.data
        compute.parallelism.forEach(dInput.n * dInput.c, minimumChunk: max(1, 16384 / max(1, h * w))) { plane in
            let src = dy + plane * 4 * h * w, dst = dx + plane * h * w
            for iy in 0..<h {
                let row0 = src + (2 * iy) * 2 * w, row1 = row0 + 2 * w, line = dst + iy * w
                for ix in 0..<w {
                    line[ix] += row0[2 * ix] + row0[2 * ix + 1] + row1[2 * ix] + row1[2 * ix + 1]
                }
            }
        }
    }
}
