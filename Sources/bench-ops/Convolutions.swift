// Convolution cases: forward and backward GFLOP/s per shape, each in rounds alternating
// with a 1024^3 sgemm (the practical peak), and the totals over the backbone and over all
// convolutions: sum of FLOPs / sum of the time each case would take at the reference peak.
import SharedSupport
@_spi(Kernels) import SharedTensor
import SharedNN

/// The sgemm peak reference: one 1024^3 multiply per call.
struct PeakGEMM {
    let a: Tensor, b: Tensor, c: Tensor
    let size = 1024
    init() {
        var random = SeededRandom(seed: 1)
        a = Tensor(shape: [size, size]); b = Tensor(shape: [size, size]); c = Tensor(shape: [size, size])
        a.fillUniform(low: -1, high: 1, random: &random)
        b.fillUniform(low: -1, high: 1, random: &random)
    }
    var flops: Double { 2 * Double(size * size * size) }
    func run(_ compute: Compute) { compute.gemm.multiply(m: size, n: size, k: size, a: a.data, b: b.data, c: c.data) }
}

func benchConvolutions(compute: Compute, seconds: Double, report: Report, selected: (String) -> Bool) {
    let workspace = Workspace()
    let peak = PeakGEMM()
    var random = SeededRandom(seed: 2)
    // Totals over cases: FLOPs, and seconds at the reference peak (flops / ratio / peak).
    var totals: [String: (flops: Double, normalizedSeconds: Double)] = [:]
    func add(_ key: String, flops: Double, ratio: Double) {
        let old = totals[key] ?? (0, 0)
        totals[key] = (old.flops + flops, old.normalizedSeconds + flops / max(ratio, 1e-9))
    }
    var peaks: [Double] = []
    for item in tinyConvolutions where selected("conv \(item.name)") {
        let shape = item.shape
        let input = Tensor(shape: item.input), weight = Tensor(shape: shape.weightShape)
        let bias = Tensor(shape: [shape.outChannels])
        input.fillUniform(low: -1, high: 1, random: &random)
        weight.fillKaimingNormal(random: &random)
        let output = Tensor(shape: shape.outputShape(input: item.input))
        let dOutput = Tensor(shape: output.shape)
        dOutput.fillUniform(low: -1, high: 1, random: &random)
        let dInput = Tensor(shape: item.input), dWeight = Tensor(shape: shape.weightShape)
        let dBias = Tensor(shape: [shape.outChannels])
        let flops = shape.forwardFLOPs(input: item.input)
        let backwardFLOPs = flops * (item.needsInputGradient ? 2 : 1)
        var saved = Conv2D.forward(input: input, weight: weight, bias: bias, output: output, shape: shape,
                                   compute: compute, workspace: workspace)
        let forward = pairedRate(seconds: seconds, work: flops, body: {
            saved = Conv2D.forward(input: input, weight: weight, bias: bias, output: output, shape: shape,
                                   compute: compute, workspace: workspace)
        }, referenceWork: peak.flops, reference: { peak.run(compute) })
        let backward = pairedRate(seconds: seconds, work: backwardFLOPs, body: {
            Conv2D.backward(dOutput: dOutput, saved: saved, weight: weight,
                            dInput: item.needsInputGradient ? dInput : nil, dWeight: dWeight, dBias: dBias,
                            shape: shape, compute: compute, workspace: workspace)
        }, referenceWork: peak.flops, reference: { peak.run(compute) })
        peaks += [forward.reference, backward.reference]
        let label = "conv \(item.name) @\(item.input[2]) n=\(item.input[0])"
        for (pass, rate, passFLOPs) in [("forward", forward, flops), ("backward", backward, backwardFLOPs)] {
            report.line("\(label) \(pass)", metric: "GFLOP/s", ours: rate.ours / 1e9, reference: rate.reference / 1e9,
                        ratio: rate.ratio, extra: ["ms": (rate.seconds * 1e5).rounded() / 100, "repeats": item.repeats])
            let r = Double(item.repeats)
            for scope in item.inBackbone ? ["backbone", "all convolutions"] : ["all convolutions"] {
                add("\(scope) \(pass)", flops: r * passFLOPs, ratio: rate.ratio)
                add("\(scope) forward+backward", flops: r * passFLOPs, ratio: rate.ratio)
            }
        }
    }
    let reference = median(peaks)
    for scope in ["backbone", "all convolutions"] {
        for pass in ["forward", "backward", "forward+backward"] {
            guard let t = totals["\(scope) \(pass)"] else { continue }
            let ratio = t.flops / t.normalizedSeconds
            report.line("conv total \(scope) \(pass)", metric: "GFLOP/s", ours: ratio * reference / 1e9,
                        reference: reference / 1e9, ratio: ratio,
                        extra: pass == "forward+backward" ? ["target_ratio": 0.6, "gflop_per_step": t.flops / 1e9] : [:])
        }
    }
}
