// 3x3 stride-1 pad-1 convolutions by Winograd F(2x2, 3x3) (`WinogradF2x3`): 2.25x fewer
// multiply-adds than im2col + GEMM. Forward, input gradient (the same convolution applied to
// dY with every kernel rotated by 180 degrees and the channels swapped) and weight gradient
// (dU = dM V^T, summed over tiles, then G^T dU G), in blocks of tiles small enough that a
// block's transformed tiles and products stay in cache: 16 small GEMMs per block.
//
// Blocks are fixed by the shape, never by the thread count, and each is computed whole by one
// thread, so results do not depend on `--threads`. The weight gradient sums the blocks in a
// fixed number of chunks, added in chunk order.
//
// Legend: N images, C input channels, M output channels, H x W (input = output size),
// TW tiles per tile row, T tiles in a block, xi = 0..<16 the transformed value.
// U [16, M, C], V [16, C, T], products and dM [16, M, T], each row-major.
import SharedSupport
@_spi(Kernels) import SharedTensor

extension Conv2D {
    /// Whether `forward` and `backward` take the Winograd path: 3x3, stride 1, padding 1, at
    /// least `winogradMinimumChannels` channels in and out and `winogradMinimumTiles` 2x2 output
    /// tiles over the batch (fewer make the 16 GEMMs too thin to beat one im2col GEMM; with few
    /// tiles and many channels the weight gradient's 16 M x C products cost more than they save).
    public static func usesWinograd(_ shape: Conv2DShape, input: [Int]) -> Bool {
        guard shape.kernelH == 3 && shape.kernelW == 3 && shape.stride == 1 && shape.padding == 1,
              min(shape.inChannels, shape.outChannels) >= winogradMinimumChannels, input.count == 4 else { return false }
        return input[0] * WinogradF2x3.tiles(input[2]) * WinogradF2x3.tiles(input[3]) >= winogradMinimumTiles
    }

    public static let winogradMinimumChannels = 32
    public static let winogradMinimumTiles = 64

    static func winogradForward(input: Tensor, weight: Tensor, output: Tensor, shape: Conv2DShape, compute: Compute,
                                workspace: Workspace) {
        let c = shape.inChannels, m = shape.outChannels
        let u = workspace.scratch(16 * winogradSpacing(m * c), slot: 3)
        transformKernels(weight.data, outChannels: m, inChannels: c, forInputGradient: false, into: u, compute: compute)
        winogradConvolve(input.data, channels: c, output: output.data, outChannels: m, images: input.n, height: input.h,
                         width: input.w, kernels: u, accumulate: false, compute: compute, workspace: workspace)
    }

    /// dInput += conv(dOutput, rotated kernels with the channels swapped).
    static func winogradInputGradient(dOutput: Tensor, weight: Tensor, dInput: Tensor, shape: Conv2DShape,
                                      compute: Compute, workspace: Workspace) {
        let c = shape.inChannels, m = shape.outChannels
        let u = workspace.scratch(16 * winogradSpacing(m * c), slot: 3)
        transformKernels(weight.data, outChannels: m, inChannels: c, forInputGradient: true, into: u, compute: compute)
        winogradConvolve(dOutput.data, channels: m, output: dInput.data, outChannels: c, images: dOutput.n,
                         height: dOutput.h, width: dOutput.w, kernels: u, accumulate: true, compute: compute,
                         workspace: workspace)
    }

    /// dWeight += G^T (sum over tiles of dM V^T) G.
    static func winogradWeightGradient(input: Tensor, dOutput: Tensor, dWeight: Tensor, shape: Conv2DShape,
                                       compute: Compute, workspace: Workspace) {
        let c = shape.inChannels, m = shape.outChannels, h = input.h, w = input.w, plane = h * w
        let blocks = WinogradBlocks(images: input.n, height: h, width: w, channels: c + m)
        let kernelStride = winogradSpacing(m * c), kernelValues = 16 * kernelStride
        let chunks = max(1, min(blocks.count, 8, (1 << 22) / kernelValues))
        let tiles = blocks.maximumTiles
        let perWorker = 16 * (winogradSpacing(c * tiles) + winogradSpacing(m * tiles))
            + WinogradF2x3.paddedBandSize(tileRows: blocks.rowsPerBlock, width: w)
        let workers = min(compute.parallelism.threads, chunks)
        let scratch = workspace.scratch(workers * perWorker, slot: 4)
        let partials = workspace.scratch(chunks * kernelValues, slot: 5)
        let gemm = GEMM(runtime: compute.gemm.runtime)
        compute.parallelism.forEach(workers) { worker in
            let v = scratch + worker * perWorker, dm = v + 16 * winogradSpacing(c * tiles)
            let padded = dm + 16 * winogradSpacing(m * tiles)
            for chunk in stride(from: worker, to: chunks, by: workers) {
                let partial = partials + chunk * kernelValues
                let range = (chunk * blocks.count / chunks)..<((chunk + 1) * blocks.count / chunks)
                for block in range {
                    let t = blocks.tiles(block)
                    let vStride = winogradSpacing(c * t), dmStride = winogradSpacing(m * t)
                    blocks.forEachPiece(block) { image, rows, first in
                        transformInputPiece(input.data, channels: c, image: image, height: h, width: w, tileRows: rows,
                                            values: v + first, tilesInBlock: t, stride: vStride, padded: padded)
                        for channel in 0..<m {
                            WinogradF2x3.transformOutputGradient(plane: dOutput.data + (image * m + channel) * plane,
                                                                 height: h, width: w, tileRows: rows,
                                                                 values: dm + channel * t + first, stride: dmStride)
                        }
                    }
                    for xi in 0..<16 {   // partial[xi] (+)= dM[xi] [M, T] V[xi]^T [T, C]
                        gemm.multiply(transposeB: .transposed, m: m, n: c, k: t, a: dm + xi * dmStride, b: v + xi * vStride,
                                      beta: block == range.lowerBound ? 0 : 1, c: partial + xi * kernelStride)
                    }
                }
            }
        }
        for chunk in 1..<chunks { Elementwise.accumulate(partials + chunk * kernelValues, into: partials, count: kernelValues) }
        compute.parallelism.forEach(m, minimumChunk: max(1, 256 / c)) { outChannel in
            for inChannel in 0..<c {
                WinogradF2x3.accumulateKernelGradient(partials + outChannel * c + inChannel, stride: kernelStride,
                                                      into: dWeight.data + (outChannel * c + inChannel) * 9)
            }
        }
    }

    /// V for one piece of a block (an image's tile rows `tileRows`) of every input channel:
    /// channel k's tiles at `values + k * tilesInBlock`, the 16 matrices `stride` apart.
    static func transformInputPiece(_ input: UnsafePointer<Float>, channels c: Int, image: Int, height h: Int,
                                    width w: Int, tileRows: Range<Int>, values: UnsafeMutablePointer<Float>,
                                    tilesInBlock t: Int, stride: Int, padded: UnsafeMutablePointer<Float>) {
        for channel in 0..<c {
            WinogradF2x3.transformInput(plane: input + (image * c + channel) * h * w, height: h, width: w,
                                        tileRows: tileRows, values: values + channel * t, stride: stride, padded: padded)
        }
    }

    /// Floats from one of the 16 matrices to the next: one cache line more than the matrix,
    /// so that the 16 values of a tile, written or read together, never share a cache set
    /// (matrices of a multiple of 4 KiB would put them all in one).
    static func winogradSpacing(_ matrixFloats: Int) -> Int { matrixFloats + 16 }

    /// U[xi, M, C] = G W[m, c] G^T (or, `forInputGradient`, U[xi, C, M] of the rotated kernels).
    static func transformKernels(_ weight: UnsafePointer<Float>, outChannels m: Int, inChannels c: Int,
                                 forInputGradient: Bool, into u: UnsafeMutablePointer<Float>, compute: Compute) {
        compute.parallelism.forEach(m, minimumChunk: max(1, 256 / c)) { outChannel in
            for inChannel in 0..<c {
                let kernel = weight + (outChannel * c + inChannel) * 9
                let target = forInputGradient ? u + inChannel * m + outChannel : u + outChannel * c + inChannel
                WinogradF2x3.transformKernel(kernel, flipped: forInputGradient, into: target, stride: winogradSpacing(m * c))
            }
        }
    }

    /// output (+)= the convolution of `input` [N, C, H, W] with transformed kernels U[xi, M', C]
    /// into [N, M', H, W].
    static func winogradConvolve(_ input: UnsafePointer<Float>, channels c: Int, output: UnsafeMutablePointer<Float>,
                                 outChannels m: Int, images: Int, height h: Int, width w: Int,
                                 kernels u: UnsafePointer<Float>, accumulate: Bool, compute: Compute,
                                 workspace: Workspace) {
        let blocks = WinogradBlocks(images: images, height: h, width: w, channels: c + m)
        let tiles = blocks.maximumTiles, plane = h * w
        let perWorker = 16 * (winogradSpacing(c * tiles) + winogradSpacing(m * tiles))
            + WinogradF2x3.paddedBandSize(tileRows: blocks.rowsPerBlock, width: w)
        let workers = min(compute.parallelism.threads, blocks.count)
        let scratch = workspace.scratch(workers * perWorker, slot: 4)
        let gemm = GEMM(runtime: compute.gemm.runtime), kernelStride = winogradSpacing(m * c)
        compute.parallelism.forEach(workers) { worker in
            let v = scratch + worker * perWorker, product = v + 16 * winogradSpacing(c * tiles)
            let padded = product + 16 * winogradSpacing(m * tiles)
            for block in stride(from: worker, to: blocks.count, by: workers) {
                let t = blocks.tiles(block)
                let vStride = winogradSpacing(c * t), productStride = winogradSpacing(m * t)
                blocks.forEachPiece(block) { image, rows, first in
                    transformInputPiece(input, channels: c, image: image, height: h, width: w, tileRows: rows,
                                        values: v + first, tilesInBlock: t, stride: vStride, padded: padded)
                }
                for xi in 0..<16 {   // product[xi] [M, T] = U[xi] [M, C] V[xi] [C, T]
                    gemm.multiply(m: m, n: t, k: c, a: u + xi * kernelStride, b: v + xi * vStride,
                                  c: product + xi * productStride)
                }
                blocks.forEachPiece(block) { image, rows, first in
                    for channel in 0..<m {
                        WinogradF2x3.transformOutput(values: product + channel * t + first, stride: productStride, tileRows: rows,
                                                     plane: output + (image * m + channel) * plane, height: h, width: w,
                                                     accumulate: accumulate)
                    }
                }
            }
        }
    }
}

/// The tile blocks of N planes: consecutive tile rows over (image, tile row), `rowsPerBlock`
/// at a time, so that 16 (C + M) floats per tile of a block fit in a core's L2 cache.
struct WinogradBlocks {
    let tileRowsPerPlane: Int, tilesPerRow: Int, rows: Int, rowsPerBlock: Int

    init(images: Int, height: Int, width: Int, channels: Int) {
        tileRowsPerPlane = WinogradF2x3.tiles(height)
        tilesPerRow = WinogradF2x3.tiles(width)
        rows = images * tileRowsPerPlane
        let targetTiles = max(16, 12_288 / max(1, channels))
        rowsPerBlock = max(1, min(rows, targetTiles / tilesPerRow))
    }

    var count: Int { (rows + rowsPerBlock - 1) / rowsPerBlock }
    var maximumTiles: Int { rowsPerBlock * tilesPerRow }

    /// Tiles in block `block`.
    func tiles(_ block: Int) -> Int { (min(rows, (block + 1) * rowsPerBlock) - block * rowsPerBlock) * tilesPerRow }

    /// The pieces of one image each that make up a block: the image, its tile rows, and the
    /// index in the block of the piece's first tile.
    func forEachPiece(_ block: Int, _ body: (_ image: Int, _ tileRows: Range<Int>, _ firstTile: Int) -> Void) {
        var row = block * rowsPerBlock, first = 0
        let end = min(rows, row + rowsPerBlock)
        while row < end {
            let image = row / tileRowsPerPlane, tileRow = row % tileRowsPerPlane
            let count = min(end - row, tileRowsPerPlane - tileRow)
            body(image, tileRow..<tileRow + count, first)
            first += count * tilesPerRow
            row += count
        }
    }
}
