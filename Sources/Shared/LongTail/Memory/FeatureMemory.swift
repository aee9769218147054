// The MFS feature memory (docs/method.md §Feature memory): one circular FIFO queue per
// foreground class, each slot a detached RoI feature (D floats, e.g. 256 x 7 x 7), its
// regression target (4 floats) and, implicitly, its label (the queue's class). An explicit
// value: flat buffers plus per-class write heads and fill counts, saved in checkpoints for
// exact resume.
//
// Layout: features [C * capacity * D], slot (c, k) at (c * capacity + k) * D;
//         targets  [C * capacity * 4]; heads [C] (next slot to write); counts [C] (<= capacity).
import SharedDetection

/// Per-class circular queues of RoI features.
public struct FeatureMemory: Equatable, Sendable {
    public let classCount: Int
    public let capacity: Int
    public let featureSize: Int
    public private(set) var features: [Float]
    public private(set) var targets: [Float]
    public private(set) var heads: [Int]
    public private(set) var counts: [Int]

    /// Bytes held by a memory of this shape (features and targets in float32).
    public static func byteCount(classCount: Int, capacity: Int = 80, featureSize: Int) -> Int {
        classCount * capacity * (featureSize + 4) * MemoryLayout<Float>.size
    }

    public init(classCount: Int, capacity: Int = 80, featureSize: Int) {
        precondition(classCount > 0 && capacity > 0 && featureSize > 0, "memory dimensions must be positive")
        self.classCount = classCount; self.capacity = capacity; self.featureSize = featureSize
        features = [Float](repeating: 0, count: classCount * capacity * featureSize)
        targets = [Float](repeating: 0, count: classCount * capacity * 4)
        heads = [Int](repeating: 0, count: classCount)
        counts = [Int](repeating: 0, count: classCount)
    }

    /// Restores a saved memory; throws when the buffers do not fit the shape.
    public init(classCount: Int, capacity: Int, featureSize: Int, features: [Float], targets: [Float],
                heads: [Int], counts: [Int]) throws {
        guard classCount > 0, capacity > 0, featureSize > 0,
              features.count == classCount * capacity * featureSize, targets.count == classCount * capacity * 4,
              heads.count == classCount, counts.count == classCount,
              zip(heads, counts).allSatisfy({ (0..<capacity).contains($0) && (0...capacity).contains($1) && ($1 == capacity || $0 == $1) })
        else { throw FeatureMemoryError.inconsistent(classCount: classCount, capacity: capacity, featureSize: featureSize) }
        self.classCount = classCount; self.capacity = capacity; self.featureSize = featureSize
        self.features = features; self.targets = targets; self.heads = heads; self.counts = counts
    }

    /// Appends one feature (D floats) and its target to `classIndex`'s queue, overwriting the
    /// oldest entry when full.
    public mutating func push(classIndex: Int, feature: UnsafeBufferPointer<Float>, target: BoxDelta) {
        precondition((0..<classCount).contains(classIndex), "class index out of range")
        precondition(feature.count == featureSize, "feature has \(feature.count) values, memory holds \(featureSize)")
        let slot = classIndex * capacity + heads[classIndex]
        features.withUnsafeMutableBufferPointer { out in
            (out.baseAddress! + slot * featureSize).update(from: feature.baseAddress!, count: featureSize)
        }
        targets[slot * 4] = target.dx; targets[slot * 4 + 1] = target.dy
        targets[slot * 4 + 2] = target.dw; targets[slot * 4 + 3] = target.dh
        heads[classIndex] = (heads[classIndex] + 1) % capacity
        counts[classIndex] = Swift.min(counts[classIndex] + 1, capacity)
    }

    /// `push`, noting in `journal` what it overwrote and what it wrote (`rollBack(_:)` puts
    /// the overwritten entries back; the written ones are replayed elsewhere by `push`).
    public mutating func push(classIndex: Int, feature: UnsafeBufferPointer<Float>, target: BoxDelta, journal: inout MemoryJournal) {
        let slot = classIndex * capacity + heads[classIndex]
        journal.overwritten.append(MemoryJournal.Entry(classIndex: classIndex, slot: slot,
                                                       feature: Array(features[(slot * featureSize)..<((slot + 1) * featureSize)]),
                                                       target: Array(targets[(slot * 4)..<(slot * 4 + 4)])))
        journal.written.append(MemoryJournal.Entry(classIndex: classIndex, slot: slot, feature: Array(feature),
                                                   target: [target.dx, target.dy, target.dw, target.dh]))
        push(classIndex: classIndex, feature: feature, target: target)
    }

    /// A journal started now (the write heads and fill counts to return to).
    public func startJournal() -> MemoryJournal { MemoryJournal(heads: heads, counts: counts) }

    /// Undoes the pushes `journal` noted: the memory is again what it was at `startJournal()`.
    public mutating func rollBack(_ journal: MemoryJournal) {
        for entry in journal.overwritten.reversed() {
            features.replaceSubrange((entry.slot * featureSize)..<((entry.slot + 1) * featureSize), with: entry.feature)
            targets.replaceSubrange((entry.slot * 4)..<(entry.slot * 4 + 4), with: entry.target)
        }
        heads = journal.heads
        counts = journal.counts
    }

    /// Convenience for `push` with an array.
    public mutating func push(classIndex: Int, feature: [Float], target: BoxDelta) {
        feature.withUnsafeBufferPointer { push(classIndex: classIndex, feature: $0, target: target) }
    }

    /// The feature in `slot` (0..<counts[classIndex]) of a queue; slot order is storage order.
    public func feature(classIndex: Int, slot: Int) -> ArraySlice<Float> {
        precondition(slot >= 0 && slot < counts[classIndex], "slot is not filled")
        let start = (classIndex * capacity + slot) * featureSize
        return features[start..<(start + featureSize)]
    }

    public func target(classIndex: Int, slot: Int) -> BoxDelta {
        precondition(slot >= 0 && slot < counts[classIndex], "slot is not filled")
        let base = (classIndex * capacity + slot) * 4
        return BoxDelta(dx: targets[base], dy: targets[base + 1], dw: targets[base + 2], dh: targets[base + 3])
    }

    /// The samples' features stacked as S x D rows (to append after the RoI features), with
    /// their labels (the queue's class) and regression targets, in sample order.
    public func gather(_ samples: [MemorySample]) -> (features: [Float], labels: [Int], targets: [BoxDelta]) {
        var stacked = [Float](repeating: 0, count: samples.count * featureSize)
        stacked.withUnsafeMutableBufferPointer { out in
            features.withUnsafeBufferPointer { all in
                for (row, sample) in samples.enumerated() {
                    precondition(sample.slot >= 0 && sample.slot < counts[sample.classIndex], "sample slot is not filled")
                    let source = all.baseAddress! + (sample.classIndex * capacity + sample.slot) * featureSize
                    (out.baseAddress! + row * featureSize).update(from: source, count: featureSize)
                }
            }
        }
        return (stacked, samples.map(\.classIndex), samples.map { target(classIndex: $0.classIndex, slot: $0.slot) })
    }

    /// The filled slots of a queue from oldest to newest.
    public func slotsOldestFirst(classIndex: Int) -> [Int] {
        let count = counts[classIndex]
        let start = count == capacity ? heads[classIndex] : 0
        return (0..<count).map { (start + $0) % capacity }
    }
}

/// The pushes of one image's pass (the exact gradient sum runs images apart from the same
/// memory): what they overwrote, to roll back, and what they wrote, to replay in batch order.
public struct MemoryJournal: Sendable {
    public struct Entry: Sendable, Equatable {
        public let classIndex: Int
        public let slot: Int
        public let feature: [Float]
        public let target: [Float]
    }
    let heads: [Int]
    let counts: [Int]
    public internal(set) var overwritten: [Entry] = []
    public internal(set) var written: [Entry] = []
}

/// A saved memory that does not fit its declared shape.
public enum FeatureMemoryError: Error, Equatable, CustomStringConvertible {
    case inconsistent(classCount: Int, capacity: Int, featureSize: Int)

    public var description: String {
        switch self {
        case .inconsistent(let c, let capacity, let d):
            return "feature memory: saved buffers do not fit \(c) classes x \(capacity) slots x \(d) floats"
        }
    }
}
