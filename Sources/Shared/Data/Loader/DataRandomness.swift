// The loader's randomness as pure functions of (seed, epoch, position), so the same seed
// gives the same batches whatever the timing, the thread count or a resume point:
//   epoch order   <- orderGenerator(seed, epoch)
//   augmentation  <- augmentationGenerator(seed, epoch, position in the epoch order)
import SharedSupport

public enum DataRandomness {
    /// A seed for (`seed`, `epoch`, `domain`), mixed through SplitMix64.
    static func mixed(_ seed: UInt64, epoch: Int, domain: UInt64) -> UInt64 {
        var mixer = SplitMix64(seed: seed ^ (domain &* 0x9E37_79B9_7F4A_7C15))
        var value = mixer.next()
        mixer = SplitMix64(seed: value ^ UInt64(bitPattern: Int64(epoch)))
        value = mixer.next()
        return value
    }

    /// The generator that orders epoch `epoch` (uniform shuffle here; RFS callers use it too).
    public static func orderGenerator(seed: UInt64, epoch: Int) -> SeededRandom {
        SeededRandom(seed: mixed(seed, epoch: epoch, domain: 1))
    }

    /// The generator of the augmentation (scale, flip) of the image at `position` of epoch `epoch`.
    public static func augmentationGenerator(seed: UInt64, epoch: Int, position: Int) -> SeededRandom {
        SeededRandom(seed: mixed(seed, epoch: epoch, domain: 2), stream: UInt64(position))
    }

    /// Each of 0..<count once, shuffled (Fisher-Yates) by the epoch's generator.
    public static func uniformOrder(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var random = orderGenerator(seed: seed, epoch: epoch)
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, random.nextInt(below: i + 1)) }
        return order
    }
}
