// The Fixed AP cut (large-vocab-devil `scripts/evaluate_ap_fixed.py` at commit 87dcb5e): the
// results grouped by `category_id` (categories in order of first appearance, unknown ones
// included), each group sorted by descending score (Python's stable sort: a tie keeps file
// order) and cut to its K best, before the LVIS API sees anything (no per-image cap after).

extension EvaluationBuilder {
    /// Clears `keep` for every result past the `cap` best of its category (unknown categories
    /// count as categories of their own, as in the script). Returns the row of the reference's
    /// first result after its regrouping (the best of the file's first category, the earliest
    /// on a tie) and the number of categories with fewer than `cap` results, which the script
    /// warns about.
    static func capPerCategory(_ results: ResultColumns, cap: Int, categoryCount: Int, keep: inout [Bool],
                               dropped: inout Int) -> (first: Int, categoriesUnderCap: Int) {
        precondition(cap > 0, "the per-category cap must be positive")
        let n = results.count
        guard n > 0 else { return (0, 0) }
        // Bucket b: category index b, or categoryCount + j for the j-th unknown category id.
        let bucketCount = categoryCount + results.unknownCategoryIDs.count
        func bucket(_ row: Int) -> Int {
            let category = Int(results.categoryIndex[row])
            return category >= 0 ? category : categoryCount + (-1 - category)
        }
        var offsets = [Int](repeating: 0, count: bucketCount + 1)
        for row in 0..<n { offsets[bucket(row) + 1] += 1 }
        for b in 0..<bucketCount { offsets[b + 1] += offsets[b] }
        var next = offsets
        var rows = [Int32](repeating: 0, count: n)
        for row in 0..<n {
            let b = bucket(row)
            rows[next[b]] = Int32(row)
            next[b] += 1
        }
        func byScore(_ a: Int32, _ b: Int32) -> Bool {
            let sa = results.score[Int(a)], sb = results.score[Int(b)]
            return sa > sb || (sa == sb && a < b)
        }
        var underCap = 0
        for b in 0..<bucketCount {
            let count = offsets[b + 1] - offsets[b]
            if count == 0 { continue }
            if count < cap { underCap += 1 }
            guard count > cap else { continue }
            var sorted = Array(rows[offsets[b]..<offsets[b + 1]])
            sorted.sort(by: byScore)
            for row in sorted[cap...] { keep[Int(row)] = false }
            dropped += count - cap
        }
        // The script's list starts with the file's first category, best score first.
        let firstBucket = bucket(0)
        let first = rows[offsets[firstBucket]..<offsets[firstBucket + 1]].min(by: byScore) ?? 0
        return (Int(first), underCap)
    }
}
