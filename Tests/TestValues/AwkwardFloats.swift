// Awkward float inputs for the parity tests of hand-written kernels (im2col rows, Winograd
// transforms): signed zeros, NaN, infinities of both signs, and ordinary numbers of many
// magnitudes, drawn from a seeded generator.
import SharedSupport

public enum AwkwardFloats {
    /// The NaN x86 arithmetic produces (infinity - infinity). Which payload `a + b` keeps when
    /// both are NaNs depends on the operand order the compiler picks (debug and release Swift
    /// differ), so the data holds this NaN only: every sum of NaNs is then the same bits.
    public static let defaultNaN = Float(bitPattern: 0xFFC0_0000)

    /// -0, +0, NaN, +inf or -inf, each with probability 1 / `oneIn`; otherwise a uniform
    /// number in (-1, 1) times 2^0 ... 2^9.
    public static func next(_ random: inout SeededRandom, oneIn: Int) -> Float {
        switch random.nextInt(below: oneIn) {
        case 0: return -0.0
        case 1: return 0.0
        case 2: return defaultNaN
        case 3: return .infinity
        case 4: return -.infinity
        default: return (random.nextFloat() * 2 - 1) * Float(1 << random.nextInt(below: 10))
        }
    }
}
