// Where to cut a results file's top-level array for a parallel parse: near each target
// offset, the comma of the next `}, {` between two records, found by a short local scan
// that tracks strings (quotes, backslash escapes) under both possible states at the
// target and keeps the one the bytes do not refute. A cut is a guess that the parse checks
// (DetectionResultsReader+Pieces.swift chains the pieces): a wrong one costs time, never
// a different result.

enum ResultsArrayCuts {
    /// Offsets of commas between records, ascending, at most `pieces - 1`: one near each of
    /// `count * k / pieces`, none where the scan of `window` bytes finds none.
    static func cuts(_ bytes: UnsafeBufferPointer<UInt8>, pieces: Int, window: Int = 1 << 20) -> [Int] {
        guard pieces > 1 else { return [] }
        var cuts: [Int] = []
        for k in 1..<pieces {
            let target = bytes.count / pieces * k
            guard let cut = cut(bytes, near: max(target, (cuts.last ?? 0) + 1), window: window) else { continue }
            cuts.append(cut)
        }
        return cuts
    }

    /// The comma of the first `}, {` at or after `target` outside strings, within `window`
    /// bytes; nil if the bytes there refute both string states (not JSON) or none is found.
    static func cut(_ bytes: UnsafeBufferPointer<UInt8>, near target: Int, window: Int) -> Int? {
        // Start at the beginning of a backslash run, so an escape is never cut in two.
        var index = min(target, bytes.count)
        while index > 0 && bytes[index - 1] == UInt8(ascii: "\\") { index -= 1 }
        let end = min(bytes.count, index + window)
        // Hypothesis 0: `index` is outside a string; 1: inside one. Quotes seen so far flip both.
        var states = (ScanState(), ScanState())
        var quotes = 0
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                // Outside a string a backslash is not JSON: that state is refuted.
                if quotes & 1 == 0 { states.0.refuted = true } else { states.1.refuted = true }
                index += 2
            } else if byte == UInt8(ascii: "\"") {
                // Closing under one hypothesis: a string ends before `:`, `,`, `}` or `]`.
                let closesUnder0 = quotes & 1 == 1
                if !followedByStringEnd(bytes, after: index) {
                    if closesUnder0 { states.0.refuted = true } else { states.1.refuted = true }
                }
                // Opening under the other: the string is one token there.
                if closesUnder0 { states.1.see(byte, at: index) } else { states.0.see(byte, at: index) }
                quotes += 1
                index += 1
            } else if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                index += 1
            } else {
                if quotes & 1 == 0 { states.0.see(byte, at: index) } else { states.1.see(byte, at: index) }
                index += 1
            }
            switch (states.0.refuted, states.1.refuted) {
            case (true, true): return nil
            case (true, false): if let cut = states.1.cut { return cut }
            case (false, true): if let cut = states.0.cut { return cut }
            case (false, false): break
            }
        }
        return nil
    }

    /// Whether the next non-blank byte after `index` may follow the end of a string.
    private static func followedByStringEnd(_ bytes: UnsafeBufferPointer<UInt8>, after index: Int) -> Bool {
        var next = index + 1
        while next < bytes.count {
            switch bytes[next] {
            case 0x20, 0x0A, 0x0D, 0x09: next += 1
            case UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"): return true
            default: return false
            }
        }
        return true  // the end of the input: the parse reports it
    }
}

/// One hypothesis of the scan: the last two non-blank bytes it saw outside strings (a string
/// is its opening quote) and the first `}, {` comma.
private struct ScanState {
    var refuted = false
    var cut: Int?
    private var last: UInt8 = 0, beforeLast: UInt8 = 0
    private var lastComma = 0

    mutating func see(_ byte: UInt8, at index: Int) {
        if cut == nil, byte == UInt8(ascii: "{"), last == UInt8(ascii: ","), beforeLast == UInt8(ascii: "}") {
            cut = lastComma
        }
        if byte == UInt8(ascii: ",") { lastComma = index }
        beforeLast = last
        last = byte
    }
}
