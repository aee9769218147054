// numpy's float64 `sum`/`mean` over a contiguous array, bit for bit: pairwise summation
// (blocks of 128, eight accumulators), which is what `np.mean(s[s > -1])` computes.

/// numpy's pairwise sum of a contiguous float64 array (`np.add.reduce`), same rounding.
public func numpyPairwiseSum(_ values: UnsafeBufferPointer<Double>) -> Double {
    pairwiseSum(values.baseAddress, values.count)
}

/// `np.mean(values)` for a non-empty contiguous float64 array: pairwise sum / count.
public func numpyMean(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "mean of an empty array")
    return values.withUnsafeBufferPointer { numpyPairwiseSum($0) } / Double(values.count)
}

private func pairwiseSum(_ a: UnsafePointer<Double>?, _ n: Int) -> Double {
    guard let a else { return 0 }
    if n < 8 {
        var result = 0.0
        for i in 0..<n { result += a[i] }
        return result
    }
    if n <= 128 {
        var r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3]
        var r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7]
        var i = 8
        let end = n - n % 8
        while i < end {
            r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3]
            r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7]
            i += 8
        }
        var result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n {
            result += a[i]
            i += 1
        }
        return result
    }
    var half = n / 2
    half -= half % 8
    return pairwiseSum(a, half) + pairwiseSum(a + half, n - half)
}
