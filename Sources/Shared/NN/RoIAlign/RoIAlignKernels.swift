// The inner loops of RoIAlign: apply one RoI's plan to a run of channels, forward (gather
// and weighted sum per bin) and backward (weighted scatter-add per bin). Four channels go
// together so each plan entry (offset, weight) is loaded once per four planes; every
// channel's arithmetic is the same sequence whatever the blocking, so results do not
// depend on the thread count.
//
// Legend: P = H*W of the level, B = PH*PW bins, CC = channels in the run.
//   planes [CC, P] (consecutive channels of one image)   bins out / dOut [CC, B]

/// out[c, b] = sum over b's entries of weight * plane_c[offset], for CC channels.
@inline(__always)
func roiAlignGatherChannels(planes: UnsafePointer<Float>, planeSize P: Int, channels CC: Int,
                            output: UnsafeMutablePointer<Float>, bins B: Int,
                            binEnds: UnsafeBufferPointer<Int32>, offsets: UnsafeBufferPointer<Int32>,
                            weights: UnsafeBufferPointer<Float>) {
    var c = 0
    while c + 4 <= CC {
        let p0 = planes + c * P, p1 = p0 + P, p2 = p1 + P, p3 = p2 + P
        let o0 = output + c * B, o1 = o0 + B, o2 = o1 + B, o3 = o2 + B
        var start = 0
        for b in 0..<B {
            let end = Int(binEnds[b])
            var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
            for e in start..<end {
                let offset = Int(offsets[e]), w = weights[e]
                s0 += w * p0[offset]; s1 += w * p1[offset]; s2 += w * p2[offset]; s3 += w * p3[offset]
            }
            o0[b] = s0; o1[b] = s1; o2[b] = s2; o3[b] = s3
            start = end
        }
        c += 4
    }
    while c < CC {
        let p0 = planes + c * P, o0 = output + c * B
        var start = 0
        for b in 0..<B {
            let end = Int(binEnds[b])
            var s0: Float = 0
            for e in start..<end { s0 += weights[e] * p0[Int(offsets[e])] }
            o0[b] = s0
            start = end
        }
        c += 1
    }
}

/// dPlane_c[offset] += weight * dOut[c, b] for every entry of every bin, for CC channels.
@inline(__always)
func roiAlignScatterChannels(dPlanes: UnsafeMutablePointer<Float>, planeSize P: Int, channels CC: Int,
                             dOutput: UnsafePointer<Float>, bins B: Int,
                             binEnds: UnsafeBufferPointer<Int32>, offsets: UnsafeBufferPointer<Int32>,
                             weights: UnsafeBufferPointer<Float>) {
    var c = 0
    while c + 4 <= CC {
        let p0 = dPlanes + c * P, p1 = p0 + P, p2 = p1 + P, p3 = p2 + P
        let g0 = dOutput + c * B, g1 = g0 + B, g2 = g1 + B, g3 = g2 + B
        var start = 0
        for b in 0..<B {
            let end = Int(binEnds[b])
            let d0 = g0[b], d1 = g1[b], d2 = g2[b], d3 = g3[b]
            for e in start..<end {
                let offset = Int(offsets[e]), w = weights[e]
                p0[offset] += w * d0; p1[offset] += w * d1; p2[offset] += w * d2; p3[offset] += w * d3
            }
            start = end
        }
        c += 4
    }
    while c < CC {
        let p0 = dPlanes + c * P, g0 = dOutput + c * B
        var start = 0
        for b in 0..<B {
            let end = Int(binEnds[b])
            let d0 = g0[b]
            for e in start..<end { p0[Int(offsets[e])] += weights[e] * d0 }
            start = end
        }
        c += 1
    }
}
