// The boundary of an RLE mask (boundary-iou-api's mask_to_boundary) as RLE values: the fast
// run kernel (`MaskBoundary`) and, beside it, the naive pixel version the tests hold it to.

extension RLE {
    /// boundary-iou-api `mask_to_boundary(mask, dilation_ratio)` encoded as pycocotools
    /// encodes it: dilation = max(1, round(ratio x image diagonal)) (`MaskBoundary.dilation`).
    public func boundary(dilationRatio: Double = MaskBoundary.defaultDilationRatio) -> RLE {
        boundary(dilation: MaskBoundary.dilation(height: height, width: width, ratio: dilationRatio))
    }

    /// The mask minus its erosion by a (2 x dilation + 1) square, the image border counting
    /// as background (the reference's 1-pixel zero padding). `dilation` >= 1.
    public func boundary(dilation: Int) -> RLE {
        var workspace = BoundaryWorkspace()
        var output: [UInt32] = []
        counts.withUnsafeBufferPointer {
            MaskBoundary.appendBoundary($0, height: height, width: width, dilation: dilation, into: &output, workspace: &workspace)
        }
        return RLE(height: height, width: width, counts: output)
    }

    /// The reference's steps on pixels, for tests: decode, pad with one zero pixel on every
    /// side (cv2.copyMakeBorder, BORDER_CONSTANT 0), erode `dilation` times with a 3x3 kernel
    /// (cv2.erode: a pixel stays on when its 3x3 neighbourhood is on; outside the padded image
    /// counts as on, OpenCV's default erosion border), crop, subtract, encode.
    /// O(height x width x dilation): small masks only.
    public func boundaryReference(dilation: Int) -> RLE {
        precondition(dilation >= 1, "dilation must be at least 1")
        let h = height, w = width, ph = h + 2, pw = w + 2
        let mask = decodeColumnMajor()
        // Padded, column-major: index x * ph + y.
        var padded = [UInt8](repeating: 0, count: ph * pw)
        for x in 0..<w { for y in 0..<h { padded[(x + 1) * ph + y + 1] = mask[x * h + y] } }
        var eroded = padded
        for _ in 0..<dilation {
            let source = eroded
            for x in 0..<pw {
                for y in 0..<ph {
                    var on: UInt8 = 1
                    for dx in -1...1 {
                        for dy in -1...1 {
                            let nx = x + dx, ny = y + dy
                            guard nx >= 0 && nx < pw && ny >= 0 && ny < ph else { continue }  // border = on
                            if source[nx * ph + ny] == 0 { on = 0 }
                        }
                    }
                    eroded[x * ph + y] = on
                }
            }
        }
        var boundary = [UInt8](repeating: 0, count: h * w)
        for x in 0..<w {
            for y in 0..<h { boundary[x * h + y] = mask[x * h + y] - eroded[(x + 1) * ph + y + 1] }
        }
        return RLE(columnMajorMask: boundary, height: h, width: w)
    }
}
