// Channels-last RoIAlign kernels: the levels a batch of RoIs reads are transposed once to
// [N, H*W, C], so every plan entry (pixel offset, weight) becomes a contiguous run of C
// floats and the sums run 16 channels per SIMD instruction; results are transposed back
// to the NCHW layout the rest of the engine uses ([R, C, PH, PW] out, [N, C, H, W] grads).
//
// Legend: N = images, C = channels, P = H*W pixels of a level, B = PH*PW bins, V = 16 lanes.
//   nchw [N, C, P]   nhwc [N, P, C]   output / dOutput [R, C, B]

import SharedSupport

typealias RoIAlignLanes = SIMD16<Float>

/// nhwc[n, p, c] = nchw[n, c, p], in tiles of 64 pixels (parallel over tiles).
func transposeToChannelsLast(_ nchw: UnsafePointer<Float>, _ nhwc: UnsafeMutablePointer<Float>,
                             N: Int, C: Int, P: Int, parallelism: Parallelism) {
    let tile = 64, tiles = (P + tile - 1) / tile
    parallelism.forEach(N * tiles, minimumChunk: max(1, 4096 / max(1, tile * C))) { item in
        let n = item / tiles, p0 = (item % tiles) * tile, p1 = min(P, p0 + tile)
        for c in 0..<C {
            let source = nchw + (n * C + c) * P
            let destination = nhwc + n * P * C + c
            for p in p0..<p1 { destination[p * C] = source[p] }
        }
    }
}

/// nchw[n, c, p] += nhwc[n, p, c], in tiles of 64 pixels (parallel over tiles).
func accumulateFromChannelsLast(_ nhwc: UnsafePointer<Float>, _ nchw: UnsafeMutablePointer<Float>,
                                N: Int, C: Int, P: Int, parallelism: Parallelism) {
    let tile = 64, tiles = (P + tile - 1) / tile
    parallelism.forEach(N * tiles, minimumChunk: max(1, 4096 / max(1, tile * C))) { item in
        let n = item / tiles, p0 = (item % tiles) * tile, p1 = min(P, p0 + tile)
        for c in 0..<C {
            let destination = nchw + (n * C + c) * P
            let source = nhwc + n * P * C + c
            for p in p0..<p1 { destination[p] += source[p * C] }
        }
    }
}

@inline(__always) func roiAlignLoad(_ pointer: UnsafePointer<Float>) -> RoIAlignLanes {
    UnsafeRawPointer(pointer).loadUnaligned(as: RoIAlignLanes.self)
}

@inline(__always) func roiAlignStore(_ value: RoIAlignLanes, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: RoIAlignLanes.self)
}

/// Forward for one RoI: output[c, b] = sum over b's entries of w * image[offset, c].
/// `image` is [P, C] (one image, channels last); `output` is [C, B]; `tile` holds B * C
/// floats (the sums channels last, transposed into `output` at the end).
@inline(__always)
func roiAlignGatherChannelsLast(image: UnsafePointer<Float>, C: Int, output: UnsafeMutablePointer<Float>, B: Int,
                                tile: UnsafeMutablePointer<Float>,
                                binEnds: UnsafeBufferPointer<Int32>, offsets: UnsafeBufferPointer<Int32>,
                                weights: UnsafeBufferPointer<Float>) {
    let vectorEnd = C / 16 * 16
    var start = 0
    for b in 0..<B {
        let end = Int(binEnds[b])
        let sums = tile + b * C
        var c = 0
        while c + 64 <= vectorEnd {           // four vectors in registers
            var s0 = RoIAlignLanes(), s1 = RoIAlignLanes(), s2 = RoIAlignLanes(), s3 = RoIAlignLanes()
            for e in start..<end {
                let w = RoIAlignLanes(repeating: weights[e]), pixel = image + Int(offsets[e]) * C + c
                s0 += w * roiAlignLoad(pixel); s1 += w * roiAlignLoad(pixel + 16)
                s2 += w * roiAlignLoad(pixel + 32); s3 += w * roiAlignLoad(pixel + 48)
            }
            roiAlignStore(s0, sums + c); roiAlignStore(s1, sums + c + 16)
            roiAlignStore(s2, sums + c + 32); roiAlignStore(s3, sums + c + 48)
            c += 64
        }
        while c < vectorEnd {
            var s0 = RoIAlignLanes()
            for e in start..<end { s0 += RoIAlignLanes(repeating: weights[e]) * roiAlignLoad(image + Int(offsets[e]) * C + c) }
            roiAlignStore(s0, sums + c)
            c += 16
        }
        while c < C {
            var s: Float = 0
            for e in start..<end { s += weights[e] * image[Int(offsets[e]) * C + c] }
            sums[c] = s
            c += 1
        }
        start = end
    }
    for c in 0..<C {
        let row = output + c * B
        for b in 0..<B { row[b] = tile[b * C + c] }
    }
}

/// Backward for one RoI and the channels c0..<c1: gradient[offset, c] += w * dOutput[c, b].
/// `gradient` is [P, C] (one image, channels last), `dOutput` is [C, B]; `tile` holds
/// B * (c1 - c0) floats (dOutput's channels transposed to [B, c1 - c0], blocks of 16 bins).
@inline(__always)
func roiAlignScatterChannelsLast(gradient: UnsafeMutablePointer<Float>, C: Int, channels: Range<Int>,
                                 dOutput: UnsafePointer<Float>, B: Int, tile: UnsafeMutablePointer<Float>,
                                 binEnds: UnsafeBufferPointer<Int32>, offsets: UnsafeBufferPointer<Int32>,
                                 weights: UnsafeBufferPointer<Float>) {
    let c0 = channels.lowerBound, count = channels.count, vectorCount = count / 16 * 16
    var b0 = 0
    while b0 < B {
        let b1 = min(B, b0 + 16)
        for k in 0..<count {
            let row = dOutput + (c0 + k) * B
            for b in b0..<b1 { tile[b * count + k] = row[b] }
        }
        b0 = b1
    }
    var start = 0
    for b in 0..<B {
        let end = Int(binEnds[b])
        let g = tile + b * count
        for e in start..<end {
            let w = weights[e], pixel = gradient + Int(offsets[e]) * C + c0
            var k = 0
            while k < vectorCount {
                roiAlignStore(roiAlignLoad(pixel + k) + RoIAlignLanes(repeating: w) * roiAlignLoad(g + k), pixel + k)
                k += 16
            }
            while k < count {
                pixel[k] += w * g[k]
                k += 1
            }
        }
        start = end
    }
}
