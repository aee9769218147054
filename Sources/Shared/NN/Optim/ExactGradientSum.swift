// The gradient of a batch as an exact sum of per-image gradients, so that it has the same
// bits however the images are spread over ranks and threads (`solver.gradientSum: "exact"`).
// Each image's gradient (float, in the store) is converted to fixed point with 96 fraction
// bits (exact for every float in [2^-73, 2^31); smaller magnitudes are truncated toward zero,
// a function of the value alone) and added into 128-bit integers; integer addition is
// associative, so the sum over a rank's images and then over the ranks (`ProcessGroup.sumInPlace`)
// is the same number in any grouping. The mean is rounded back to float once.
import Synchronization
import SharedSupport
@_spi(Kernels) import SharedTensor

public final class ExactGradientSum {
    /// Fraction bits of the fixed point: a value v is held as trunc(v * 2^96).
    public static let fractionBits = 96
    /// Magnitudes at or above this (2^31) overflow the sum of up to 2^65 images: such a
    /// gradient is reported non-finite.
    public static let limit: Float = 0x1p31

    private let store: ParameterStore
    /// (offset, count) of each trainable parameter in the store's flat buffers.
    private let spans: [(offset: Int, count: Int)]
    private var sums: [Int128]
    /// An added gradient was NaN, infinite or at least `limit` in magnitude.
    public private(set) var overflowed = false

    /// A sum over the parameters of `store` that are trainable now (fixed for the run).
    public init(store: ParameterStore) {
        self.store = store
        spans = store.trainable.map { (offset: $0.offset, count: $0.count) }
        sums = [Int128](repeating: 0, count: spans.reduce(0) { $0 + $1.count })
    }

    /// The fixed-point values summed (the trainable parameters' scalars).
    public var count: Int { sums.count }

    /// Bytes each rank sends to sum over `ranks` ranks (`ProcessGroup.sumInPlace`: a block to
    /// every other rank, then its own block to every other rank): 2 x 16 x ceil(count / R) x (R - 1).
    public func bytesSentPerRank(ranks: Int) -> Int {
        ranks <= 1 ? 0 : 2 * 16 * ((count + ranks - 1) / ranks) * (ranks - 1)
    }

    /// Empties the sum (before the first image of an iteration).
    public func reset() {
        sums.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        overflowed = false
    }

    /// Adds the store's current gradients (one image's) to the sum, split over `parallelism`
    /// (each element is one exact addition, so the split changes nothing).
    public func addStoreGradients(parallelism: Parallelism) {
        let gradients = UnsafePointer(store.gradients.buffer.baseAddress!)
        let failed = Atomic<Bool>(false)
        sums.withUnsafeMutableBufferPointer { sums in
            let base = sums.baseAddress!
            var start = 0
            for span in spans {
                let source = gradients + span.offset, target = base + start
                parallelism.forEachChunk(span.count, minimumChunk: 1 << 14) { range in
                    var bad = false
                    for index in range {
                        let value = source[index]
                        guard value.isFinite, abs(value) < Self.limit else { bad = true; continue }
                        target[index] &+= Self.fixedPoint(value)
                    }
                    if bad { failed.store(true, ordering: .relaxed) }
                }
                start += span.count
            }
        }
        if failed.load(ordering: .relaxed) { overflowed = true }
    }

    /// Adds another sum over the same parameters (a group of images computed apart).
    public func add(_ other: ExactGradientSum) {
        precondition(other.sums.count == sums.count, "sums over the same parameters")
        for index in sums.indices { sums[index] &+= other.sums[index] }
        overflowed = overflowed || other.overflowed
    }

    /// Sums over the ranks of `group` (exact, identical on every rank); overflow anywhere
    /// becomes overflow everywhere.
    public func reduce(over group: ProcessGroup) {
        guard group.isDistributed else { return }
        sums.withUnsafeMutableBufferPointer { group.sumInPlace($0) }
        overflowed = group.maximum(overflowed ? 1 : 0) != 0
    }

    /// Writes sum / `count` (the batch mean) into the store's gradients of the trainable
    /// parameters, NaN where the sum overflowed (the fit loop then stops as for any
    /// non-finite gradient).
    public func writeMean(count: Int, parallelism: Parallelism) {
        precondition(count >= 1, "a mean over at least one image")
        let gradients = store.gradients.buffer.baseAddress!
        let scale = 0x1p-96 / Double(count), failed = overflowed
        sums.withUnsafeBufferPointer { sums in
            let base = sums.baseAddress!
            var start = 0
            for span in spans {
                let source = base + start, target = gradients + span.offset
                parallelism.forEachChunk(span.count, minimumChunk: 1 << 14) { range in
                    for index in range { target[index] = failed ? .nan : Float(Self.double(source[index]) * scale) }
                }
                start += span.count
            }
        }
    }

    /// `value` rounded to the nearest double (ties to even), as `Double(value)` but without
    /// the standard library's generic, word-by-word conversion: the magnitude's top 64 bits,
    /// with a sticky bit for any lower one, converted by the hardware (which rounds once,
    /// and the sticky bit makes that rounding the one of the whole value), then scaled.
    @inline(__always)
    static func double(_ value: Int128) -> Double {
        let negative = value < 0
        let magnitude = negative ? UInt128(bitPattern: 0 &- value) : UInt128(bitPattern: value)
        let high = UInt64(truncatingIfNeeded: magnitude >> 64), low = UInt64(truncatingIfNeeded: magnitude)
        let result: Double
        if high == 0 {
            result = Double(low)
        } else {
            let shift = 64 - high.leadingZeroBitCount   // 1...64: bits of `high` to move down
            let top = shift == 64 ? high : (high << (64 - shift)) | (low >> shift)
            let sticky: UInt64 = shift == 64 ? (low != 0 ? 1 : 0) : ((low << (64 - shift)) != 0 ? 1 : 0)
            result = Double(top | sticky) * Double(sign: .plus, exponent: shift, significand: 1)
        }
        return negative ? -result : result
    }

    /// trunc(value * 2^96) for a finite |value| < 2^31, from the float's bits: the 24-bit
    /// significand shifted by (exponent - 150 + 96).
    @inline(__always)
    static func fixedPoint(_ value: Float) -> Int128 {
        let bits = value.bitPattern
        let exponent = Int((bits >> 23) & 0xff)
        guard exponent != 0 else { return 0 }   // subnormal: below 2^-126, under the resolution
        let significand = Int128((bits & 0x7f_ffff) | 0x80_0000)
        let shift = exponent - 54
        let magnitude = shift >= 0 ? significand << shift : significand >> (-shift)
        return bits >> 31 == 0 ? magnitude : -magnitude
    }
}
