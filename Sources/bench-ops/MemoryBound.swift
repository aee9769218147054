// Memory-bound layers as GB/s of compulsory traffic (bytes each pass must read and write
// at least once) against memcpy bandwidth (read + write) measured in the same run.
import Foundation
import SharedSupport
@_spi(Kernels) import SharedTensor
import SharedNN

/// memcpy of `count` floats (read + write bytes): the bandwidth reference, sized like
/// each case's largest tensor so both run in the same cache regime.
struct MemcpyReference {
    let count: Int
    let source: Tensor, destination: Tensor
    init(count: Int) {
        self.count = count
        source = Tensor(shape: [count]); destination = Tensor(shape: [count])
        source.fill(1)
    }
    var bytes: Double { 2 * Double(count * 4) }
    func run() { memcpy(destination.data, source.data, count * 4) }
}

func benchMemoryBound(compute: Compute, seconds: Double, report: Report, selected: (String) -> Bool) {
    var random = SeededRandom(seed: 3)
    // The largest activations of the tiny network: stem output [2, 32, 128, 128] and
    // res2 [2, 32, 64, 64]; FPN [2, 64, 32, 32] for the upsample.
    func random4(_ shape: [Int]) -> Tensor {
        let t = Tensor(shape: shape)
        t.fillUniform(low: -1, high: 1, random: &random)
        return t
    }
    func run(_ name: String, floatsMoved: Int, largest: Int, _ body: @escaping () -> Void) {
        guard selected(name) else { return }
        let memcpyReference = MemcpyReference(count: largest)
        let rate = pairedRate(seconds: seconds, work: Double(floatsMoved * 4), body: body,
                              referenceWork: memcpyReference.bytes, reference: memcpyReference.run)
        report.line(name, metric: "GB/s", ours: rate.ours / 1e9, reference: rate.reference / 1e9, ratio: rate.ratio,
                    extra: ["ms": (rate.seconds * 1e5).rounded() / 100, "target_ratio": 0.5])
    }
    for shape in [[2, 32, 128, 128], [2, 32, 64, 64]] {
        let x = random4(shape), y = Tensor(shape: shape), dy = random4(shape), dx = Tensor(shape: shape)
        let gamma = Tensor(shape: [shape[1]]), beta = Tensor(shape: [shape[1]])
        gamma.fill(1)
        let dGamma = Tensor(shape: [shape[1]]), dBeta = Tensor(shape: [shape[1]])
        let n = x.count, label = "\(shape)"
        var gn = GroupNorm.forward(input: x, gamma: gamma, beta: beta, output: y, groups: 32, compute: compute)
        // Forward reads x twice (statistics, then normalise) and writes y: 2 compulsory.
        run("groupnorm(32) forward \(label)", floatsMoved: 2 * n, largest: n) {
            gn = GroupNorm.forward(input: x, gamma: gamma, beta: beta, output: y, groups: 32, compute: compute)
        }
        // Backward reads x and dy, read-modify-writes dx: 4 compulsory.
        run("groupnorm(32) backward \(label)", floatsMoved: 4 * n, largest: n) {
            GroupNorm.backward(dOutput: dy, saved: gn, gamma: gamma, dInput: dx, dGamma: dGamma, dBeta: dBeta,
                               compute: compute)
        }
        var relu = ReLU.forward(input: x, output: y, compute: compute)
        run("relu forward \(label)", floatsMoved: 2 * n, largest: n) { relu = ReLU.forward(input: x, output: y, compute: compute) }
        run("relu backward \(label)", floatsMoved: 4 * n, largest: n) {
            ReLU.backward(dOutput: dy, saved: relu, dInput: dx, compute: compute)
        }
        run("add forward \(label)", floatsMoved: 3 * n, largest: n) { Add.forward(x, dy, output: y, compute: compute) }
    }
    do {
        let x = random4([2, 32, 128, 128]), pool = MaxPoolShape(kernel: 3, stride: 2, padding: 1)
        let y = Tensor(shape: pool.outputShape(input: x.shape)), dy = random4(y.shape), dx = Tensor(shape: x.shape)
        var saved = MaxPool2D.forward(input: x, output: y, shape: pool, compute: compute)
        run("maxpool 3x3/2 forward [2, 32, 128, 128]", floatsMoved: x.count + 2 * y.count, largest: x.count) {
            saved = MaxPool2D.forward(input: x, output: y, shape: pool, compute: compute)
        }
        run("maxpool 3x3/2 backward [2, 32, 128, 128]", floatsMoved: 2 * y.count + 2 * x.count, largest: x.count) {
            MaxPool2D.backward(dOutput: dy, saved: saved, dInput: dx, compute: compute)
        }
    }
    do {
        let x = random4([2, 64, 32, 32]), y = Tensor(shape: [2, 64, 64, 64]), dy = random4(y.shape)
        let dx = Tensor(shape: x.shape)
        run("upsample 2x forward [2, 64, 32, 32]", floatsMoved: x.count + y.count, largest: y.count) {
            Upsample2x.forward(input: x, output: y, compute: compute)
        }
        run("upsample 2x backward [2, 64, 32, 32]", floatsMoved: y.count + 2 * x.count, largest: y.count) {
            Upsample2x.backward(dOutput: dy, dInput: dx, compute: compute)
        }
    }
}
