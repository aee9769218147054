// `--calibration`, `--diagnostics N` and `compare --bootstrap` against the reference values of
// scripts/fixtures/make_analysis_fixtures.py (Fixtures/analysis.expected.json): ECE, MCE, bins and
// per-category ECE as hotcoco computes them (8 cases + 2 with other bins / IoU / score threshold),
// every image's TP/FP/FN, F1 and AP of hotcoco's image_diagnostics, and the bootstrap's draws,
// per-resample values and intervals as the script's reimplementation computes them from the
// references' matching with our resample indices (LVIS and COCO, counted and distinct).
import Foundation
import SharedData
@testable import SharedEval
import SharedSupport
import XCTest

final class AnalysisFixtureTests: XCTestCase {
    static let tolerance = 1e-9

    func cases(_ key: String) throws -> [[String: Any]] {
        try XCTUnwrap(try Fixtures.object("analysis.expected.json")[key] as? [[String: Any]])
    }

    func evaluate(_ entry: [String: Any], analyses: EvaluationAnalyses, results: String? = nil,
                  type: IoUType = .bbox, threads: Int = 2) throws -> EvaluationReport {
        let evaluation = DetectionEvaluation(groundTruthPath: Fixtures.path(entry["gt"] as! String),
                                             resultsPath: Fixtures.path(results ?? entry["dt"] as! String),
                                             style: EvaluationStyle(rawValue: entry["style"] as! String), iouTypes: [type],
                                             analyses: analyses)
        return try XCTUnwrap(try evaluation.run(parallelism: Parallelism(threads: threads)).first)
    }

    func testCalibrationEqualsHotcoco() throws {
        var largest = 0.0, checked = 0
        for entry in try cases("analysis") {
            let name = entry["name"] as! String
            let expected = entry["calibration"] as! [String: Any]
            let request = EvaluationAnalyses.Calibration(binCount: expected["bins"] as! Int, iouThreshold: try number(expected["iou_threshold"]))
            let report = try evaluate(entry, analyses: EvaluationAnalyses(calibration: request),
                                      type: IoUType(rawValue: entry["iou_type"] as! String)!)
            let calibration = try XCTUnwrap(report.calibration)
            func compare(_ actual: CalibrationError, _ reference: [String: Any], _ label: String) throws {
                XCTAssertEqual(actual.detections, reference["detections"] as? Int, "\(name) \(label)")
                for (value, key) in [(actual.expected, "ece"), (actual.maximum, "mce")] {
                    let difference = abs(value - (try number(reference[key])))
                    largest = max(largest, difference)
                    XCTAssertLessThanOrEqual(difference, Self.tolerance, "\(name) \(label) \(key)")
                }
                let bins = reference["bins"] as! [[String: Any]]
                XCTAssertEqual(actual.bins.map(\.count), bins.map { $0["count"] as! Int }, "\(name) \(label)")
                for (bin, reference) in zip(actual.bins, bins) {
                    XCTAssertEqual(bin.meanConfidence, try number(reference["confidence"]), accuracy: Self.tolerance, "\(name) \(label)")
                    XCTAssertEqual(bin.accuracy, try number(reference["accuracy"]), accuracy: Self.tolerance, "\(name) \(label)")
                }
                checked += 1
            }
            try compare(calibration.overall, expected["all"] as! [String: Any], "all")
            let groups = expected["groups"] as! [String: Any]
            XCTAssertEqual(calibration.groups.map(\.group.rawValue), ["r", "c", "f"].filter { groups[$0] != nil }, name)
            for (group, error) in calibration.groups { try compare(error, groups[group.rawValue] as! [String: Any], group.rawValue) }
            let perCategory = expected["per_category"] as! [String: Any]
            XCTAssertEqual(calibration.categoryECE.map { String(report.categories[$0.category].id.rawValue) }.sorted(), perCategory.keys.sorted(), name)
            for (k, ece, _) in calibration.categoryECE {
                let difference = abs(ece - (try number(perCategory[String(report.categories[k].id.rawValue)])))
                largest = max(largest, difference)
                XCTAssertLessThanOrEqual(difference, Self.tolerance, "\(name) category \(report.categories[k].id)")
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 10 + 2 * 3)
        print("calibration: \(checked) ECE/MCE sets, largest difference to the reference \(largest)")
    }

    func testDiagnosticsEqualHotcoco() throws {
        var largest = 0.0, images = 0
        for entry in try cases("analysis") {
            let name = entry["name"] as! String
            let expected = entry["diagnostics"] as! [String: Any]
            let scoreThreshold = expected["score_threshold"].flatMap { $0 is NSNull ? nil : try? number($0) }
            let request = EvaluationAnalyses.Diagnostics(limit: 5, iouThreshold: try number(expected["iou_threshold"]),
                                                         scoreThreshold: scoreThreshold)
            let report = try evaluate(entry, analyses: EvaluationAnalyses(diagnostics: request),
                                      type: IoUType(rawValue: entry["iou_type"] as! String)!)
            let diagnostics = try XCTUnwrap(report.diagnostics)
            let reference = expected["images"] as! [String: Any]
            XCTAssertEqual(diagnostics.images.map { String(diagnostics.imageIDs[$0.image]) }.sorted(), reference.keys.sorted(), name)
            var referenceCounts: [ImageCounts] = []
            for counts in diagnostics.images {
                let id = diagnostics.imageIDs[counts.image]
                guard let values = reference[String(id)] as? [String: Any] else { continue }
                XCTAssertEqual([counts.truePositives, counts.falsePositives, counts.falseNegatives],
                               [values["tp"] as! Int, values["fp"] as! Int, values["fn"] as! Int], "\(name) image \(id)")
                for (value, key) in [(counts.f1, "f1"), (counts.ap, "ap")] {
                    let difference = abs(value - (try number(values[key])))
                    largest = max(largest, difference)
                    XCTAssertLessThanOrEqual(difference, Self.tolerance, "\(name) image \(id) \(key)")
                }
                var fromReference = ImageCounts(image: counts.image)
                (fromReference.truePositives, fromReference.falsePositives, fromReference.falseNegatives) =
                    (values["tp"] as! Int, values["fp"] as! Int, values["fn"] as! Int)
                referenceCounts.append(fromReference)
                images += 1
            }
            // The worst lists follow the documented order applied to the reference's counts.
            let missed = referenceCounts.filter { $0.falseNegatives > 0 }
                .sorted { ($0.falseNegatives, $0.falsePositives, -$0.image) > ($1.falseNegatives, $1.falsePositives, -$1.image) }
            let falses = referenceCounts.filter { $0.falsePositives > 0 }
                .sorted { ($0.falsePositives, $0.falseNegatives, -$0.image) > ($1.falsePositives, $1.falseNegatives, -$1.image) }
            XCTAssertEqual(diagnostics.worstMissed.map(\.image), missed.prefix(5).map(\.image), name)
            XCTAssertEqual(diagnostics.worstFalse.map(\.image), falses.prefix(5).map(\.image), name)
            XCTAssertEqual(diagnostics.falseNegatives, referenceCounts.reduce(0) { $0 + $1.falseNegatives }, name)
        }
        XCTAssertGreaterThan(images, 400)
        print("diagnostics: \(images) images, largest F1/AP difference to the reference \(largest)")
    }

    func testBootstrapDrawsAreOurGenerator() throws {
        for entry in try cases("bootstrap") {
            let draws = entry["draws"] as! [[Int]]
            let resampling = BootstrapResampling(imageCount: draws[0].count, seed: UInt64(entry["seed"] as! Int))
            for (i, expected) in draws.enumerated() { XCTAssertEqual(resampling.draws(resample: i), expected, "\(entry["name"]!) \(i)") }
            var weights = [Int32](repeating: 0, count: draws[0].count)
            resampling.weights(resample: 3, into: &weights)
            XCTAssertEqual(weights.map(Int.init), (0..<draws[0].count).map { i in draws[3].filter { $0 == i }.count })
        }
    }

    func testBootstrapIntervalsEqualTheReimplementation() throws {
        var largest = 0.0
        for entry in try cases("bootstrap") {
            let name = entry["name"] as! String
            let methodFiles = entry["methods"] as! [String]
            let reports = try methodFiles.map { try evaluate(entry, analyses: EvaluationAnalyses(keepsMatches: true), results: $0) }
            let methods = zip(["a", "b"], reports).map { label, report in
                BootstrapMethod(name: label, records: report.matches!, frequencies: report.categories.map(\.frequency),
                                stats: Dictionary(report.stats.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
            }
            for (mode, expected) in entry["modes"] as! [String: Any] {
                let expected = expected as! [String: Any]
                let resampling = BootstrapResampling(imageCount: reports[0].matches!.imageCount, seed: UInt64(entry["seed"] as! Int),
                                                     distinct: mode == "distinct")
                let names = expected["stat_names"] as! [String]
                let comparison = BootstrapComparison.run(methods, resampling: resampling, resamples: entry["resamples"] as! Int,
                                                         withGroups: names.count > 1, parallelism: Parallelism(threads: 2))
                XCTAssertEqual(comparison.statNames, names, name)
                let samples = expected["samples"] as! [[Any]]
                for m in 0..<2 {
                    for s in names.indices {
                        for (actual, reference) in zip(comparison.samples[m][s], samples[m * names.count + s]) {
                            let difference = abs(actual - (try number(reference)))
                            largest = max(largest, difference)
                            XCTAssertLessThanOrEqual(difference, Self.tolerance, "\(name) \(mode) method \(m) \(names[s])")
                        }
                    }
                }
                let intervals = expected["intervals"] as! [[String: Any]]
                for m in 0..<2 {
                    for (s, stat) in names.enumerated() {
                        let actual = comparison.intervals[m][s]
                        guard let reference = intervals[m][stat] as? [String: Any] else {
                            XCTAssertNil(actual.lower, "\(name) \(mode) \(stat)")
                            continue
                        }
                        XCTAssertEqual(actual.defined, reference["defined"] as? Int, "\(name) \(mode) \(stat)")
                        XCTAssertEqual(try XCTUnwrap(actual.lower), try number(reference["lower"]), accuracy: Self.tolerance)
                        XCTAssertEqual(try XCTUnwrap(actual.upper), try number(reference["upper"]), accuracy: Self.tolerance)
                    }
                }
                let differences = expected["differences"] as! [String: Any]
                for (s, stat) in names.enumerated() {
                    let actual = comparison.differences[0][s], reference = differences[stat] as! [String: Any]
                    for (value, key) in [(actual.lower, "lower"), (actual.upper, "upper"), (actual.probabilityPositive, "prob_positive"),
                                         (actual.standardError, "std_err")] {
                        let difference = abs(try XCTUnwrap(value) - (try number(reference[key])))
                        largest = max(largest, difference)
                        XCTAssertLessThanOrEqual(difference, Self.tolerance, "\(name) \(mode) \(stat) \(key)")
                    }
                }
                // The point estimates are the plain evaluations' stats.
                XCTAssertEqual(comparison.intervals[1][0].value, reports[1].stat("AP"), name)
            }
        }
        print("bootstrap: largest difference to the reimplementation \(largest)")
    }

    /// Resamples are streams of the seed: the thread count changes nothing; another seed changes the draws.
    func testBootstrapIsIndependentOfThreads() throws {
        let entry = try cases("bootstrap")[0]
        let report = try evaluate(entry, analyses: EvaluationAnalyses(keepsMatches: true), results: (entry["methods"] as! [String])[0])
        let method = BootstrapMethod(name: "a", records: report.matches!, frequencies: report.categories.map(\.frequency), stats: [:])
        let resampling = BootstrapResampling(imageCount: report.matches!.imageCount, seed: 5)
        let one = BootstrapComparison.run([method], resampling: resampling, resamples: 12, withGroups: true, parallelism: Parallelism(threads: 1))
        let two = BootstrapComparison.run([method], resampling: resampling, resamples: 12, withGroups: true, parallelism: Parallelism(threads: 2))
        XCTAssertEqual(one.samples, two.samples)
        XCTAssertNotEqual(resampling.draws(resample: 0), BootstrapResampling(imageCount: resampling.imageCount, seed: 6).draws(resample: 0))
        // Every image drawn once (weights all 1) is the plain evaluation.
        let records = report.matches!
        let all = [Int32](repeating: 1, count: records.imageCount)
        var accumulator = WeightedAccumulator(parameters: records.parameters)
        var sum = 0.0, valid = 0
        all.withUnsafeBufferPointer { weights in
            for category in records.categories {
                if let s = accumulator.precisionSum(WeightedCategory(category, parameters: records.parameters), weights: weights) {
                    sum += s
                    valid += 1
                }
            }
        }
        XCTAssertEqual(sum / Double(valid * 1010), try XCTUnwrap(report.stat("AP")), accuracy: 1e-12)
    }
}
