// The order Python's stable `sort(key=-score)` gives: indices by descending score, equal scores
// in index order. A comparison sort for short lists; for long ones an LSD radix sort over the
// scores' bits (4 passes of 16 bits; stable, so equal keys keep index order): the same order,
// checked against the comparison sort (TIDEBreakdownTests). Scores are finite (the results
// reader refuses others); -0.0 counts as 0.0, as `==` has it.

enum ScoreOrder {
    /// Below this many scores the comparison sort is used.
    static let radixThreshold = 1 << 14

    static func descending(_ scores: [Double]) -> [Int] {
        scores.count < radixThreshold ? comparisonDescending(scores) : radixDescending(scores)
    }

    /// The reference: a comparison sort with the index breaking ties.
    static func comparisonDescending(_ scores: [Double]) -> [Int] {
        var keyed = scores.indices.map { (score: scores[$0], index: $0) }
        keyed.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        return keyed.map(\.index)
    }

    /// A key whose ascending unsigned order is the scores' descending order.
    @inline(__always) static func key(_ score: Double) -> UInt64 {
        let bits = (score + 0.0).bitPattern  // -0.0 + 0.0 = 0.0
        let ascending = bits >> 63 == 1 ? ~bits : bits | (1 << 63)
        return ~ascending
    }

    static func radixDescending(_ scores: [Double]) -> [Int] {
        let n = scores.count
        var keys = scores.map(key)
        var order = Array(0..<n)
        var nextKeys = [UInt64](repeating: 0, count: n), nextOrder = [Int](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 1 << 16)
        for pass in 0..<4 {
            let shift = UInt64(pass * 16)
            for b in counts.indices { counts[b] = 0 }
            for k in keys { counts[Int((k >> shift) & 0xFFFF)] += 1 }
            if counts.contains(n) { continue }  // every key has this digit: the pass changes nothing
            var start = 0
            for b in counts.indices {
                let c = counts[b]
                counts[b] = start
                start += c
            }
            for i in 0..<n {
                let digit = Int((keys[i] >> shift) & 0xFFFF)
                nextKeys[counts[digit]] = keys[i]
                nextOrder[counts[digit]] = order[i]
                counts[digit] += 1
            }
            swap(&keys, &nextKeys)
            swap(&order, &nextOrder)
        }
        return order
    }
}
