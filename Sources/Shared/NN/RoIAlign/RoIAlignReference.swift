// The naive RoIAlign kernels, a line-by-line port of torchvision's CPU `roi_align`
// (forward and backward, one feature level): the oracle the fast kernels are tested against.
//
// Legend: N = images, C = channels, H, W = feature size, R = RoIs, PH, PW = output size.
//   input [N, C, H, W]   rois [R, 5] = (batch index, x1, y1, x2, y2) in image coordinates
//   output [R, C, PH, PW]

/// RoIAlign settings shared by the reference and the fast kernels.
public struct RoIAlignOptions: Sendable, Equatable {
    public var outputHeight: Int
    public var outputWidth: Int
    /// > 0: that many samples per bin side; <= 0: adaptive, ceil(roi side / output side).
    public var samplingRatio: Int
    /// torchvision `aligned`: shift box corners by -0.5 pixel (the Detectron2 / mmdet default).
    public var aligned: Bool

    public init(outputHeight: Int, outputWidth: Int, samplingRatio: Int = 0, aligned: Bool = true) {
        precondition(outputHeight > 0 && outputWidth > 0, "RoIAlign output size must be positive")
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
        self.samplingRatio = samplingRatio
        self.aligned = aligned
    }

    public init(outputSize: Int, samplingRatio: Int = 0, aligned: Bool = true) {
        self.init(outputHeight: outputSize, outputWidth: outputSize, samplingRatio: samplingRatio, aligned: aligned)
    }
}

/// torchvision's `bilinear_interpolate_gradient`: the four corners and weights of a sample,
/// or nil where the sample lies outside [-1, H] x [-1, W] (it then contributes nothing).
@inlinable
func roiAlignBilinear(y: Float, x: Float, height: Int, width: Int)
    -> (w1: Float, w2: Float, w3: Float, w4: Float, yLow: Int, yHigh: Int, xLow: Int, xHigh: Int)? {
    var y = y, x = x
    if y < -1.0 || y > Float(height) || x < -1.0 || x > Float(width) { return nil }
    if y <= 0 { y = 0 }
    if x <= 0 { x = 0 }
    var yLow = Int(y), xLow = Int(x), yHigh: Int, xHigh: Int
    if yLow >= height - 1 {
        yLow = height - 1; yHigh = yLow; y = Float(yLow)
    } else {
        yHigh = yLow + 1
    }
    if xLow >= width - 1 {
        xLow = width - 1; xHigh = xLow; x = Float(xLow)
    } else {
        xHigh = xLow + 1
    }
    let ly = y - Float(yLow), lx = x - Float(xLow)
    let hy = 1 - ly, hx = 1 - lx
    return (hy * hx, hy * lx, ly * hx, ly * lx, yLow, yHigh, xLow, xHigh)
}

/// The box of one RoI on a level, in torchvision's arithmetic (float32).
@inlinable
func roiAlignBox(_ roi: UnsafeBufferPointer<Float>, spatialScale: Float, options: RoIAlignOptions)
    -> (startY: Float, startX: Float, binHeight: Float, binWidth: Float, gridH: Int, gridW: Int) {
    let offset: Float = options.aligned ? 0.5 : 0
    let startX = roi[1] * spatialScale - offset
    let startY = roi[2] * spatialScale - offset
    let endX = roi[3] * spatialScale - offset
    let endY = roi[4] * spatialScale - offset
    var roiWidth = endX - startX, roiHeight = endY - startY
    if !options.aligned {
        roiWidth = max(roiWidth, 1)
        roiHeight = max(roiHeight, 1)
    }
    let binHeight = roiHeight / Float(options.outputHeight)
    let binWidth = roiWidth / Float(options.outputWidth)
    // A box with a non-finite coordinate (a diverged prediction) samples nothing and pools
    // zeros instead of trapping; the adaptive grid is capped at 256 samples per bin side
    // (torchvision has no cap; 256 is far beyond any box a detector assigns to a level).
    guard startX.isFinite && startY.isFinite && roiWidth.isFinite && roiHeight.isFinite else {
        return (0, 0, 0, 0, 0, 0)
    }
    func adaptive(_ side: Float, _ bins: Int) -> Int { Int(min(max((side / Float(bins)).rounded(.up), 0), 256)) }
    let gridH = options.samplingRatio > 0 ? options.samplingRatio : adaptive(roiHeight, options.outputHeight)
    let gridW = options.samplingRatio > 0 ? options.samplingRatio : adaptive(roiWidth, options.outputWidth)
    return (startY, startX, binHeight, binWidth, gridH, gridW)
}

/// Reference forward on one level: output[r, c, ph, pw] = mean of bilinear samples.
public func roiAlignForwardReference(input: [Float], batch N: Int, channels C: Int, height H: Int, width W: Int,
                                     rois: [Float], spatialScale: Float, options: RoIAlignOptions) -> [Float] {
    let R = rois.count / 5, PH = options.outputHeight, PW = options.outputWidth
    precondition(input.count == N * C * H * W && rois.count == R * 5, "input [N, C, H, W], rois [R, 5]")
    var output = [Float](repeating: 0, count: R * C * PH * PW)
    rois.withUnsafeBufferPointer { rois in
        for r in 0..<R {
            let roi = UnsafeBufferPointer(rebasing: rois[(r * 5)..<(r * 5 + 5)])
            let n = Int(roi[0])
            let box = roiAlignBox(roi, spatialScale: spatialScale, options: options)
            let count = Float(max(box.gridH * box.gridW, 1))
            for c in 0..<C {
                let plane = (n * C + c) * H * W
                for ph in 0..<PH {
                    for pw in 0..<PW {
                        var value: Float = 0
                        for iy in 0..<max(box.gridH, 0) {
                            let y = box.startY + Float(ph) * box.binHeight + (Float(iy) + 0.5) * box.binHeight / Float(box.gridH)
                            for ix in 0..<max(box.gridW, 0) {
                                let x = box.startX + Float(pw) * box.binWidth + (Float(ix) + 0.5) * box.binWidth / Float(box.gridW)
                                guard let b = roiAlignBilinear(y: y, x: x, height: H, width: W) else { continue }
                                value += b.w1 * input[plane + b.yLow * W + b.xLow] + b.w2 * input[plane + b.yLow * W + b.xHigh]
                                    + b.w3 * input[plane + b.yHigh * W + b.xLow] + b.w4 * input[plane + b.yHigh * W + b.xHigh]
                            }
                        }
                        output[((r * C + c) * PH + ph) * PW + pw] = value / count
                    }
                }
            }
        }
    }
    return output
}

/// Reference backward on one level: dInput[n, c, corner] += w * dOutput / count.
public func roiAlignBackwardReference(dInput: inout [Float], dOutput: [Float], batch N: Int, channels C: Int,
                                      height H: Int, width W: Int, rois: [Float], spatialScale: Float,
                                      options: RoIAlignOptions) {
    let R = rois.count / 5, PH = options.outputHeight, PW = options.outputWidth
    precondition(dInput.count == N * C * H * W && dOutput.count == R * C * PH * PW, "dInput [N, C, H, W], dOutput [R, C, PH, PW]")
    rois.withUnsafeBufferPointer { rois in
        for r in 0..<R {
            let roi = UnsafeBufferPointer(rebasing: rois[(r * 5)..<(r * 5 + 5)])
            let n = Int(roi[0])
            let box = roiAlignBox(roi, spatialScale: spatialScale, options: options)
            let count = Float(max(box.gridH * box.gridW, 1))
            for c in 0..<C {
                let plane = (n * C + c) * H * W
                for ph in 0..<PH {
                    for pw in 0..<PW {
                        let g = dOutput[((r * C + c) * PH + ph) * PW + pw]
                        for iy in 0..<max(box.gridH, 0) {
                            let y = box.startY + Float(ph) * box.binHeight + (Float(iy) + 0.5) * box.binHeight / Float(box.gridH)
                            for ix in 0..<max(box.gridW, 0) {
                                let x = box.startX + Float(pw) * box.binWidth + (Float(ix) + 0.5) * box.binWidth / Float(box.gridW)
                                guard let b = roiAlignBilinear(y: y, x: x, height: H, width: W) else { continue }
                                dInput[plane + b.yLow * W + b.xLow] += g * b.w1 / count
                                dInput[plane + b.yLow * W + b.xHigh] += g * b.w2 / count
                                dInput[plane + b.yHigh * W + b.xLow] += g * b.w3 / count
                                dInput[plane + b.yHigh * W + b.xHigh] += g * b.w4 / count
                            }
                        }
                    }
                }
            }
        }
    }
}
