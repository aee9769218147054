// Cosine-normalised 1x1 convolution (the normed mask classifier of LOCE / mmdet's
// NormedConv2d): per pixel the feature is L2-normalised over channels, each class weight
// vector is L2-normalised, and logit = scale * cos + bias:
//   out[k, p] = scale * <w_k / (|w_k| + eps), x_p / (|x_p| + eps)> + b_k,  scale 20, eps 1e-6.
//
// With `classes` (one class index per image), only that class's logit map is computed:
// output [N, 1, H, W]. A Mask R-CNN needs no other (the mask loss reads the ground-truth
// class's channel, inference the detected class's), so training and inference skip K - 1
// of the K maps; the values and gradients are those of the same channel of the full output.
//
// Legend: N = batch (RoIs), C = channels, K = classes, P = H*W, O = output channels (K, or 1
// with `classes`).
// input [N, C, H, W], weight [K, C, 1, 1], bias [K], output [N, O, H, W];
// saved: wn [K, C] normalised weights, a [N*P] = 1 / (|x_p| + eps); scratch [O, P] and,
// per thread, [C, P] + 3 [P].
import SharedSupport
@_spi(Kernels) import SharedTensor

public enum NormedConv1x1 {
    public static let defaultScale: Float = 20
    public static let defaultEps: Float = 1e-6

    public struct Saved: @unchecked Sendable {
        public let input: Tensor
        /// Normalised weights [K, C].
        public let normalizedWeight: [Float]
        /// 1 / (|x_p| + eps) per pixel [N*P].
        public let inverseNorms: [Float]
        public let scale: Float, eps: Float
        /// The class of each image's single output map, or nil (all K maps).
        public let classes: [Int]?
    }

    /// The weight rows image `image` is multiplied with: all K, or its class's.
    static func rows(image: Int, classes: [Int]?, k: Int) -> (first: Int, count: Int) {
        guard let classes else { return (0, k) }
        precondition(classes[image] >= 0 && classes[image] < k, "class \(classes[image]) outside 0..<\(k)")
        return (classes[image], 1)
    }

    @discardableResult
    public static func forward(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor, classes: [Int]? = nil,
                               scale: Float = defaultScale, eps: Float = defaultEps, compute: Compute) -> Saved {
        let n = input.n, c = input.c, p = input.h * input.w, k = weight.dimension(0)
        precondition(weight.count == k * c, "normed conv weight \(weight.shape) for \(c) channels")
        precondition(classes == nil || classes!.count == n, "one class per image")
        let o = classes == nil ? k : 1
        precondition(output.shape == [n, o, input.h, input.w], "normed conv output \(output.shape)")
        var wn = [Float](repeating: 0, count: k * c)
        for row in 0..<k {
            let w = weight.data + row * c
            var squares: Float = 0
            for j in 0..<c { squares += w[j] * w[j] }
            let inv = 1 / (squares.squareRoot() + eps)
            for j in 0..<c { wn[row * c + j] = w[j] * inv }
        }
        var inverse = [Float](repeating: 0, count: n * p)
        wn.withUnsafeBufferPointer { wnBuffer in
            inverse.withUnsafeMutableBufferPointer { invBuffer in
                let wnp = wnBuffer.baseAddress!, inv = invBuffer.baseAddress!
                for image in 0..<n {
                    let x = input.data + image * c * p, y = output.data + image * o * p, a = inv + image * p
                    let rows = rows(image: image, classes: classes, k: k)
                    pixelInverseNorms(x, c: c, p: p, eps: eps, into: a)
                    compute.gemm.multiply(m: rows.count, n: p, k: c, a: wnp + rows.first * c, b: x, c: y)
                    let b = bias?.data
                    for row in 0..<rows.count {
                        let line = y + row * p, offset = b?[rows.first + row] ?? 0
                        for i in 0..<p { line[i] = scale * line[i] * a[i] + offset }
                    }
                }
            }
        }
        return Saved(input: input, normalizedWeight: wn, inverseNorms: inverse, scale: scale, eps: eps, classes: classes)
    }

    public static func backward(dOutput: Tensor, saved: Saved, weight: Tensor, dInput: Tensor?, dWeight: Tensor?,
                                dBias: Tensor?, compute: Compute, workspace: Workspace) {
        let input = saved.input, s = saved.scale
        let n = input.n, c = input.c, p = input.h * input.w, k = weight.dimension(0)
        let o = saved.classes == nil ? k : 1
        precondition(dOutput.shape == [n, o, input.h, input.w], "normed conv dOutput \(dOutput.shape)")
        var dWn = [Float](repeating: 0, count: k * c)
        saved.normalizedWeight.withUnsafeBufferPointer { wnBuffer in
            saved.inverseNorms.withUnsafeBufferPointer { invBuffer in
                let wn = wnBuffer.baseAddress!, inverse = invBuffer.baseAddress!
                // Bias and weight gradients sum over the images, in image order.
                if dBias != nil || dWeight != nil {
                    let g = workspace.scratch(o * p, slot: 0)
                    dWn.withUnsafeMutableBufferPointer { dWnBuffer in
                        for image in 0..<n {
                            let x = input.data + image * c * p, dy = dOutput.data + image * o * p, a = inverse + image * p
                            let rows = rows(image: image, classes: saved.classes, k: k)
                            if let dBias {
                                for row in 0..<rows.count {
                                    var total: Float = 0
                                    for i in 0..<p { total += dy[row * p + i] }
                                    dBias.data[rows.first + row] += total
                                }
                            }
                            if dWeight != nil {   // dWn[rows, C] += s (dy * a)[rows, P] x[C, P]^T
                                for row in 0..<rows.count { for i in 0..<p { g[row * p + i] = dy[row * p + i] * a[i] } }
                                compute.gemm.multiply(transposeB: .transposed, m: rows.count, n: c, k: p, alpha: s, a: g, b: x,
                                                      beta: 1, c: dWnBuffer.baseAddress! + rows.first * c)
                            }
                        }
                    }
                }
                // The input gradient of each image is its own: images in parallel.
                if let dInput {
                    inputGradient(dOutput: dOutput, saved: saved, normalizedWeight: wn, inverseNorms: inverse, k: k,
                                  dInput: dInput, compute: compute, workspace: workspace)
                }
            }
        }
        guard let dWeight else { return }
        // dw_k += dWn_k / (|w_k| + eps) - w_k (w_k . dWn_k) / ((|w_k| + eps)^2 |w_k|)
        for row in 0..<k {
            let w = weight.data + row * c, dw = dWeight.data + row * c
            var squares: Float = 0, dotWG: Float = 0
            for j in 0..<c { squares += w[j] * w[j]; dotWG += w[j] * dWn[row * c + j] }
            let r = squares.squareRoot(), inv = 1 / (r + saved.eps)
            let coefficient = r > 0 ? dotWG * inv * inv / r : 0
            for j in 0..<c { dw[j] += inv * dWn[row * c + j] - coefficient * w[j] }
        }
    }

    /// dInput += the input gradient, image by image (each on one thread with a serial GEMM):
    /// dU[C, P] = s wn[rows, C]^T dy[rows, P]; then through u = x a, per pixel p,
    /// dx_p += a_p dU_p - x_p (x_p . dU_p) a_p^2 / |x_p|. The per-pixel sums run over the
    /// channels in order, a channel row at a time, so that they vectorise across pixels.
    static func inputGradient(dOutput: Tensor, saved: Saved, normalizedWeight wn: UnsafePointer<Float>,
                              inverseNorms: UnsafePointer<Float>, k: Int, dInput: Tensor, compute: Compute,
                              workspace: Workspace) {
        let input = saved.input, s = saved.scale
        let n = input.n, c = input.c, p = input.h * input.w
        let o = saved.classes == nil ? k : 1
        let workers = min(compute.parallelism.threads, n)
        let perWorker = c * p + 3 * p
        let scratch = workspace.scratch(workers * perWorker, slot: 1)
        let gemm = GEMM(runtime: compute.gemm.runtime)
        compute.parallelism.forEach(workers) { worker in
            let du = scratch + worker * perWorker, dot = du + c * p, squares = dot + p, coefficient = squares + p
            for image in (n * worker / workers)..<(n * (worker + 1) / workers) {
                let x = input.data + image * c * p, dy = dOutput.data + image * o * p, a = inverseNorms + image * p
                let dx = dInput.data + image * c * p
                let rows = rows(image: image, classes: saved.classes, k: k)
                gemm.multiply(transposeA: .transposed, m: c, n: p, k: rows.count, alpha: s, a: wn + rows.first * c, b: dy, c: du)
                dot.update(repeating: 0, count: p)
                squares.update(repeating: 0, count: p)
                for j in 0..<c {
                    let xj = x + j * p, uj = du + j * p
                    for i in 0..<p { dot[i] += xj[i] * uj[i]; squares[i] += xj[i] * xj[i] }
                }
                for i in 0..<p {
                    let r = squares[i].squareRoot()
                    coefficient[i] = r > 0 ? dot[i] * a[i] * a[i] / r : 0
                }
                for j in 0..<c {
                    let xj = x + j * p, uj = du + j * p, dxj = dx + j * p
                    for i in 0..<p { dxj[i] += a[i] * uj[i] - coefficient[i] * xj[i] }
                }
            }
        }
    }

    /// a[p] = 1 / (|x[:, p]| + eps) for x [C, P].
    static func pixelInverseNorms(_ x: UnsafePointer<Float>, c: Int, p: Int, eps: Float, into a: UnsafeMutablePointer<Float>) {
        a.update(repeating: 0, count: p)
        for j in 0..<c {
            let line = x + j * p
            for i in 0..<p { a[i] += line[i] * line[i] }
        }
        for i in 0..<p { a[i] = 1 / (a[i].squareRoot() + eps) }
    }
}

/// The normed mask classifier bound to `name.weight` [K, C, 1, 1] and `name.bias` [K].
public struct NormedConv1x1Layer: Sendable {
    public let inChannels: Int, classes: Int, scale: Float, eps: Float
    public let weight: Parameter, bias: Parameter

    public init(_ name: String, inChannels: Int, classes: Int, scale: Float = NormedConv1x1.defaultScale,
                eps: Float = NormedConv1x1.defaultEps, layout: inout ParameterLayout, frozen: Bool = false) {
        self.inChannels = inChannels; self.classes = classes; self.scale = scale; self.eps = eps
        weight = layout.add("\(name).weight", shape: [classes, inChannels, 1, 1], frozen: frozen)
        bias = layout.add("\(name).bias", shape: [classes], frozen: frozen)
    }

    /// Normal(0, 0.01) weights (direction is all that matters), zero bias
    /// (docs/method.md §Stage 1).
    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        store.initialize(weight, .normal(std: 0.01), random: &random)
        store.initialize(bias, .zeros, random: &random)
    }

    @discardableResult
    public func forward(_ input: Tensor, output: Tensor, classes: [Int]? = nil, store: ParameterStore,
                        compute: Compute) -> NormedConv1x1.Saved {
        NormedConv1x1.forward(input: input, weight: store.value(weight), bias: store.value(bias), output: output,
                              classes: classes, scale: scale, eps: eps, compute: compute)
    }

    public func backward(_ dOutput: Tensor, saved: NormedConv1x1.Saved, dInput: Tensor?, store: ParameterStore,
                         compute: Compute, workspace: Workspace) {
        NormedConv1x1.backward(dOutput: dOutput, saved: saved, weight: store.value(weight), dInput: dInput,
                               dWeight: store.isFrozen(weight) ? nil : store.gradient(weight),
                               dBias: store.isFrozen(bias) ? nil : store.gradient(bias),
                               compute: compute, workspace: workspace)
    }
}
