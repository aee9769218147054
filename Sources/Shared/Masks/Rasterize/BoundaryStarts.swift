// rleFrPoly's last step, with bounded memory: the run starts are sorted, differenced and
// empty runs folded ("if(a[j]>0) b[m++]=a[j++]; else { j++; if(j<k) b[m-1]+=a[j++]; }").
// That fold depends only on which start values occur an odd number of times: a value met
// an even number of times merges the runs on either side of it, an odd one starts a run
// (the first value is kept even when it is 0), and the terminator h*w, the largest value,
// always ends the list whatever else lands on it. So starts are kept as that set: pending
// starts are reduced when many have accumulated (a polygon with many long edges), into a
// parity bitmap over the mask's pixels when it is small enough, else into a sorted list.

/// The starts of one polygon's runs, reduced to the values met an odd number of times.
struct BoundaryStarts {
    /// Starts not yet reduced, in any order.
    private var pending: [UInt32] = []
    /// Sorted, distinct: the values met an odd number of times so far (sorted mode).
    private var odd: [UInt32] = []
    /// Bit p set when start p was met an odd number of times so far (bitmap mode).
    private var parity: [UInt64] = []
    /// The mask's pixel count: every start is at most this (x * h + y with x < w, y <= h).
    let total: UInt32
    /// How many pending starts trigger a reduction.
    let reductionThreshold: Int
    /// The largest mask (pixels) whose reductions use the parity bitmap (2^28 bits = 32 MB).
    let bitmapLimit: UInt32

    init(total: UInt32, reductionThreshold: Int = 1 << 20, bitmapLimit: UInt32 = 1 << 28) {
        precondition(reductionThreshold > 0, "reduction threshold must be positive")
        self.total = total
        self.reductionThreshold = reductionThreshold
        self.bitmapLimit = bitmapLimit
    }

    @inline(__always)
    mutating func append(_ start: UInt32) {
        pending.append(start)
        if pending.count >= reductionThreshold { reduce() }
    }

    /// Folds the pending starts into the odd set (a value met twice cancels).
    mutating func reduce() {
        guard !pending.isEmpty else { return }
        if !parity.isEmpty || (odd.isEmpty && total <= bitmapLimit && pending.count >= reductionThreshold) {
            if parity.isEmpty { parity = [UInt64](repeating: 0, count: Int(total >> 6) + 1) }
            for start in pending { parity[Int(start >> 6)] ^= 1 << UInt64(start & 63) }
        } else {
            reduceSorted()
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Sorted mode: sorts the pending starts, keeps those met an odd number of times and
    /// merges them into `odd` (symmetric difference).
    private mutating func reduceSorted() {
        pending.sort()
        var unpaired: [UInt32] = []
        unpaired.reserveCapacity(pending.count)
        var i = 0
        while i < pending.count {
            var j = i + 1
            while j < pending.count && pending[j] == pending[i] { j += 1 }
            if (j - i) % 2 == 1 { unpaired.append(pending[i]) }
            i = j
        }
        if odd.isEmpty {
            odd = unpaired
            return
        }
        var merged: [UInt32] = []
        merged.reserveCapacity(odd.count + unpaired.count)
        var a = 0, b = 0
        while a < odd.count || b < unpaired.count {
            if b == unpaired.count || (a < odd.count && odd[a] < unpaired[b]) {
                merged.append(odd[a]); a += 1
            } else if a == odd.count || unpaired[b] < odd[a] {
                merged.append(unpaired[b]); b += 1
            } else {
                a += 1; b += 1  // in both: an even count
            }
        }
        odd = merged
    }

    /// The run lengths of the mask whose runs toggle at these starts: the counts maskApi.c's
    /// sort, difference and fold give.
    mutating func runs() -> [UInt32] {
        reduce()
        var counts: [UInt32] = []
        var previous: UInt32 = 0
        if parity.isEmpty {
            counts.reserveCapacity(odd.count + 1)
            for value in odd {
                assert(value <= total, "run start \(value) past the mask's \(total) pixels")
                if value >= total { break }
                counts.append(value - previous)
                previous = value
            }
        } else {
            scan: for (index, word) in parity.enumerated() {
                var bits = word
                while bits != 0 {
                    let value = UInt32(index << 6 + bits.trailingZeroBitCount)
                    if value >= total { break scan }
                    counts.append(value - previous)
                    previous = value
                    bits &= bits - 1
                }
            }
        }
        counts.append(total - previous)
        return counts
    }
}
