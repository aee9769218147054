// Timing and output for the benchmark. The machine is shared and noisy, so every case is
// measured in rounds that alternate with its reference (sgemm peak or memcpy): each round
// gives a ratio measured at the same moment, and the median round is reported.
// Output: one JSON object per line on stdout ({"bench","case","metric","ours","reference","ratio",
// "isa","blas_kernel"}): the last two say which vector code path and OpenBLAS kernel ran.
import Foundation
import SharedSupport

/// Seconds per call of `body`: repeated calls lasting at least `seconds` (at least one).
func secondsPerCall(seconds: Double, _ body: () -> Void) -> Double {
    var calls = 0
    let watch = Stopwatch()
    repeat {
        body()
        calls += 1
    } while watch.elapsed < seconds
    return watch.elapsed / Double(calls)
}

/// A rate measured in alternation with a reference rate.
struct PairedRate {
    /// Median over rounds of our rate and of the reference rate.
    let ours: Double, reference: Double
    /// Median over rounds of ours / reference (each round's pair measured back to back).
    let ratio: Double
    /// Median seconds per call of ours.
    let seconds: Double
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

/// Measures `work` units per call of `body` against `referenceWork` per call of
/// `reference`, alternating for `rounds` rounds (after one warm-up call of each).
func pairedRate(rounds: Int = 5, seconds: Double, work: Double, body: () -> Void,
                referenceWork: Double, reference: () -> Void) -> PairedRate {
    body()
    reference()
    var ours: [Double] = [], theirs: [Double] = [], ratios: [Double] = [], times: [Double] = []
    for _ in 0..<rounds {
        let r = referenceWork / secondsPerCall(seconds: seconds, reference)
        let t = secondsPerCall(seconds: seconds, body)
        ours.append(work / t); theirs.append(r); ratios.append(work / t / r); times.append(t)
    }
    return PairedRate(ours: median(ours), reference: median(theirs), ratio: median(ratios), seconds: median(times))
}

struct Report {
    let output = StandardOutput()
    /// What ran: the vector code path (`VectorISA.active`) and the OpenBLAS kernel.
    let facts: RunFacts

    /// One result line; ratio = ours / reference unless given (> 1 is better for rates).
    func line(_ caseName: String, metric: String, ours: Double, reference: Double, ratio: Double? = nil,
              extra: [String: Any] = [:]) {
        var object: [String: Any] = ["bench": "ops", "case": caseName, "metric": metric,
                                     "ours": round3(ours), "reference": round3(reference),
                                     "ratio": round3(ratio ?? (reference > 0 ? ours / reference : 0))]
        for (key, value) in extra { object[key] = value }
        for (key, value) in facts.fields { object[key] = value }
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
            output.write(String(decoding: data, as: UTF8.self) + "\n")
            output.flush()
        }
    }

    func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}

/// The code paths a benchmark line was measured on, added to every JSON line.
struct RunFacts {
    let isa: VectorISA
    let blasKernel: String

    var fields: [String: String] { ["isa": isa.name, "blas_kernel": blasKernel] }

    /// `object` (one JSON object, `{...}`) with the two fields appended.
    func appended(to object: String) -> String {
        guard object.hasSuffix("}") else { return object }
        return String(object.dropLast()) + ",\"isa\":\"\(isa.name)\",\"blas_kernel\":\"\(blasKernel)\"}"
    }
}
