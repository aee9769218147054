// rleFrPoly's last step, with bounded memory: the run starts are sorted, differenced and
// empty runs folded ("if(a[j]>0) b[m++]=a[j++]; else { j++; if(j<k) b[m-1]+=a[j++]; }").
// That fold depends only on which start values occur an odd number of times: a value met
// an even number of times merges the runs on either side of it, an odd one starts a run
// (the first value is kept even when it is 0), and the terminator h*w, the largest value,
// always ends the list whatever else lands on it. So starts are kept as that set, and
// pairs are cancelled whenever many have accumulated (a polygon with many long edges).

/// The starts of one polygon's runs, reduced to the values met an odd number of times.
struct BoundaryStarts {
    /// Starts not yet reduced, in any order.
    private var pending: [UInt32] = []
    /// Sorted, distinct: the values met an odd number of times so far.
    private var odd: [UInt32] = []
    /// How many pending starts trigger a reduction.
    let reductionThreshold: Int

    init(reductionThreshold: Int = 1 << 20) {
        precondition(reductionThreshold > 0, "reduction threshold must be positive")
        self.reductionThreshold = reductionThreshold
    }

    mutating func append(_ start: UInt32) {
        pending.append(start)
        if pending.count >= reductionThreshold { reduce() }
    }

    /// Sorts the pending starts, drops the values met an even number of times, and folds
    /// the rest into `odd` (a value in both cancels).
    mutating func reduce() {
        guard !pending.isEmpty else { return }
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
        pending.removeAll(keepingCapacity: true)
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

    /// The run lengths of a mask of `total` pixels whose runs toggle at these starts: the
    /// counts maskApi.c's sort, difference and fold give. Every start is at most `total`
    /// (x * h + y with x < w and y <= h).
    mutating func runs(total: UInt32) -> [UInt32] {
        reduce()
        var counts: [UInt32] = []
        counts.reserveCapacity(odd.count + 1)
        var previous: UInt32 = 0
        for value in odd {
            assert(value <= total, "run start \(value) past the mask's \(total) pixels")
            if value >= total { break }
            counts.append(value - previous)
            previous = value
        }
        counts.append(total - previous)
        return counts
    }
}
