// Which images each bootstrap resample holds (`detect-eval compare --bootstrap N --seed S`).
// Resample i (0-based) draws n image indices with replacement, n = the evaluation's images
// (sorted ids, images without annotations included, as hotcoco draws from params.img_ids):
// generator `SeededRandom(seed: S, stream: i)` (xoshiro256** from SplitMix64), each draw
// `nextInt(below: n)` (Lemire's multiply-shift with rejection). Streams make the resamples
// independent of each other and of the thread count. Counted (the default): an image drawn c
// times weighs c, the ordinary bootstrap; distinct: every drawn image weighs 1, hotcoco's
// compare() semantics (it deduplicates each sample into a set). hotcoco's own draws come from
// Rust's SmallRng (xoshiro256++) seeded with seed + i and cannot be reproduced here.
import SharedSupport

public struct BootstrapResampling: Sendable, Equatable {
    public var imageCount: Int
    public var seed: UInt64
    /// Each drawn image once (hotcoco) instead of as often as drawn.
    public var distinct: Bool

    public init(imageCount: Int, seed: UInt64, distinct: Bool = false) {
        precondition(imageCount > 0, "a bootstrap needs images")
        self.imageCount = imageCount
        self.seed = seed
        self.distinct = distinct
    }

    /// The n image indices resample `resample` draws, in draw order.
    public func draws(resample: Int) -> [Int] {
        var random = SeededRandom(seed: seed, stream: UInt64(resample))
        return (0..<imageCount).map { _ in random.nextInt(below: imageCount) }
    }

    /// Writes each image's weight in resample `resample` into `weights` (imageCount values).
    public func weights(resample: Int, into weights: inout [Int32]) {
        precondition(weights.count == imageCount, "one weight per image")
        for i in weights.indices { weights[i] = 0 }
        var random = SeededRandom(seed: seed, stream: UInt64(resample))
        for _ in 0..<imageCount {
            let image = random.nextInt(below: imageCount)
            weights[image] = distinct ? 1 : weights[image] + 1
        }
    }
}
