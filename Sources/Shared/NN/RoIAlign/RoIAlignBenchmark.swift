// The RoIAlign benchmark case (`bench-ops roi-align`, timed against torchvision's roi_align):
// 256 RoIs x 64 channels, 7x7 and 14x14 outputs, over the FPN pyramid of a 256x256 batch of 2
// (P2..P5: 64, 32, 16, 8), adaptive sampling, forward + backward (gradient buffers zeroed each
// round, as a trainer does).
// The RoIs come from SplitMix64 so a reference script can rebuild the same boxes
// (`scripts/fixtures/make_training_fixtures.py --bench-roi-align`).
import SharedSupport

/// One measured case: best-of-rounds seconds for forward and backward.
public struct RoIAlignBenchmarkResult: Sendable, Codable {
    public var name: String
    public var rois: Int
    public var channels: Int
    public var outputSize: Int
    public var threads: Int
    public var forwardSeconds: Double
    public var backwardSeconds: Double
    public var totalSeconds: Double { forwardSeconds + backwardSeconds }

    /// One JSON object (the bench executables print one per line).
    public var json: String {
        "{\"case\":\"\(name)\",\"rois\":\(rois),\"channels\":\(channels),\"output\":\(outputSize),\"threads\":\(threads),"
            + "\"forward_ms\":\(forwardSeconds * 1e3),\"backward_ms\":\(backwardSeconds * 1e3),\"total_ms\":\(totalSeconds * 1e3)}"
    }
}

public enum RoIAlignBenchmark {
    public static let imageSize = 256
    public static let batch = 2
    public static let strides = [4, 8, 16, 32]

    /// The benchmark's boxes, [R, 5]: side 8 * 2^(5u) (8..256 px), aspect 2^(2v - 1),
    /// centre uniform in the image, clipped to it; image index r % 2.
    public static func rois(count: Int, seed: UInt64 = 2021) -> [Float] {
        var random = SplitMix64(seed: seed)
        func uniform() -> Double { Double(random.next() >> 11) * 0x1p-53 }
        let size = Double(imageSize)
        var rois = [Float]()
        for r in 0..<count {
            let side = 8 * pow2(5 * uniform()), aspect = pow2(2 * uniform() - 1)
            let w = side * aspect.squareRoot(), h = side / aspect.squareRoot()
            let cx = uniform() * size, cy = uniform() * size
            rois += [Float(r % batch), Float(max(0, cx - w / 2)), Float(max(0, cy - h / 2)),
                     Float(min(size, cx + w / 2)), Float(min(size, cy + h / 2))]
        }
        return rois
    }

    /// Runs both cases (7x7 and 14x14) and returns their best-of-`rounds` timings.
    public static func run(roiCount: Int = 256, channels C: Int = 64, rounds: Int = 20,
                           parallelism: Parallelism) -> [RoIAlignBenchmarkResult] {
        let sides = strides.map { imageSize / $0 }
        var random = SeededRandom(seed: 7)
        let features = sides.map { side -> UnsafeMutableBufferPointer<Float> in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: batch * C * side * side)
            for i in buffer.indices { buffer[i] = random.nextFloat() * 2 - 1 }
            return buffer
        }
        let gradients = sides.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: batch * C * $0 * $0) }
        defer { (features + gradients).forEach { $0.deallocate() } }
        let levels = (0..<sides.count).map {
            RoIAlignLevel(features: UnsafeBufferPointer(features[$0]), height: sides[$0], width: sides[$0],
                          spatialScale: 1 / Float(strides[$0]))
        }
        let rois = rois(count: roiCount)
        var results: [RoIAlignBenchmarkResult] = []
        for size in [7, 14] {
            let options = RoIAlignOptions(outputSize: size, samplingRatio: 0, aligned: true)
            var output = [Float](repeating: 0, count: roiCount * C * size * size)
            let dOutput = (0..<output.count).map { _ in random.nextFloat() - 0.5 }
            var bestForward = Double.infinity, bestBackward = Double.infinity
            for _ in 0..<rounds {
                var clock = Stopwatch()
                let saved = rois.withUnsafeBufferPointer { rois in
                    output.withUnsafeMutableBufferPointer {
                        roiAlignForward(output: $0, levels: levels, batch: batch, channels: C, rois: rois,
                                        options: options, parallelism: parallelism)
                    }
                }
                bestForward = min(bestForward, clock.elapsed)
                clock.restart()
                for gradient in gradients { gradient.update(repeating: 0) }
                dOutput.withUnsafeBufferPointer {
                    roiAlignBackward(dLevels: gradients, dOutput: $0, saved: saved, parallelism: parallelism)
                }
                bestBackward = min(bestBackward, clock.elapsed)
            }
            results.append(RoIAlignBenchmarkResult(name: "roi_align \(roiCount)x\(C) \(size)x\(size)", rois: roiCount,
                                                   channels: C, outputSize: size, threads: parallelism.threads,
                                                   forwardSeconds: bestForward, backwardSeconds: bestBackward))
        }
        return results
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
private func pow2(_ x: Double) -> Double { exp2(x) }
