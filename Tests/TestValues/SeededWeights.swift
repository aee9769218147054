// Seeded tensor values that the fixture scripts make the same way
// (scripts/fixtures/seeded_weights.py): a full-size foreign model's weights are regenerated
// from a committed spec (name, shape, offset, scale) instead of being committed.
import Foundation
import SharedSupport

public enum SeededWeights {
    /// One tensor of a spec file.
    public struct Entry: Codable, Sendable {
        public var name: String
        public var shape: [Int]
        public var offset: Double
        public var scale: Double
    }

    /// `count` values of tensor `name`: float32(offset + scale * u), u uniform in [-1, 1) from
    /// splitmix64 of (crc32(name) << 32 | index).
    public static func values(name: String, count: Int, offset: Double, scale: Double) -> [Float] {
        precondition(count < 1 << 32, "flat indices must fit in 32 bits")
        let crc = UInt64(crc32Checksum(Array(name.utf8)))
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            var index = 0
            while index < count {
                var z = ((crc << 32) | UInt64(index)) &+ 0x9E37_79B9_7F4A_7C15
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                buffer[index] = Float(offset + scale * (Double(z >> 11) * 0x1p-53 * 2 - 1))
                index += 1
            }
            initialized = count
        }
    }

    /// The values of every entry of `spec`, by name.
    public static func tensors(_ spec: [Entry]) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: spec.map { entry in
            (entry.name, values(name: entry.name, count: entry.shape.reduce(1, *), offset: entry.offset, scale: entry.scale))
        })
    }
}
