// `detect-eval --tide`: TIDE's error breakdown against the tidecv package
// (Fixtures/tide.expected.json, scripts/fixtures/make_tide_fixtures.py): tidecv's AP, every
// main and special dAP, the error counts and the per-frequency-group numbers, on real data
// (cocoapi, LVIS val, detectron2, coco128) and generated cases, boxes and masks, several
// per-image caps, image and category subsets (from parsed records and from an evaluation's
// columns alike); plus hand-checkable cases of the AP integration,
// of one image's verdicts and of the chart's bars.
import Foundation
import SharedData
@testable import SharedEval
import SharedSupport
import XCTest

final class TIDEBreakdownTests: XCTestCase {
    func testEveryDeltaAPEqualsTidecv() throws {
        let expected = try Fixtures.object("tide.expected.json")
        let cases = try XCTUnwrap(expected["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 34)
        var largest = 0.0, compared = 0
        func check(_ actual: Double?, _ reference: Any?, _ label: String) throws {
            if reference is NSNull || reference == nil {
                XCTAssertNil(actual, label)
                return
            }
            let value = try number(reference)
            guard let actual else { return XCTFail("\(label): nil, tidecv \(value)") }
            largest = max(largest, abs(actual - value))
            compared += 1
            XCTAssertEqual(actual, value, accuracy: 1e-6, label)
        }
        func checkScores(_ scores: TIDEScores, _ reference: [String: Any], _ label: String) throws {
            try check(scores.ap, reference["ap"], "\(label) AP")
            let main = try XCTUnwrap(reference["main"] as? [String: Any])
            for kind in TIDEErrorKind.allCases { try check(scores.main(kind), main[kind.rawValue], "\(label) \(kind.rawValue)") }
            let special = try XCTUnwrap(reference["special"] as? [String: Any])
            for kind in TIDESpecialError.allCases { try check(scores.special(kind), special[kind.rawValue], "\(label) \(kind.rawValue)") }
        }
        var datasets: [String: Dataset] = [:]
        for entry in cases {
            let gtName = try XCTUnwrap(entry["gt"] as? String), resultsName = try XCTUnwrap(entry["results"] as? String)
            let iouType = try XCTUnwrap(IoUType(rawValue: try XCTUnwrap(entry["iouType"] as? String)))
            let kind = try XCTUnwrap(TIDEDatasetKind(rawValue: try XCTUnwrap(entry["style"] as? String)))
            let cap = try XCTUnwrap(entry["maxDets"] as? Int)
            let label = "\(entry["name"]!) \(iouType.rawValue) cap \(cap)"
            let dataset = try datasets[gtName] ?? Dataset.load(path: Fixtures.path(gtName))
            datasets[gtName] = dataset
            // Subset cases: tidecv on the files cut down to --img-ids / --cat-ids.
            let (cut, results) = TIDEBreakdown.restrict(dataset: dataset, results: try DetectionResultsReader.readAll(path: Fixtures.path(resultsName)),
                                                        images: entry["imgIds"] as? [Int], categories: entry["catIds"] as? [Int])
            let breakdown = try TIDEBreakdown.compute(dataset: cut, results: results,
                                                      resultsPath: resultsName, groundTruthPath: gtName, iouType: iouType, kind: kind,
                                                      maxDetections: cap == -1 ? nil : cap, parallelism: Parallelism(threads: 2))
            try checkScores(breakdown.all, entry, label)
            // The same from the columns an evaluation loads (what `detect-eval --tide` uses): the same doubles.
            var columns = try ResultColumns.read(path: Fixtures.path(resultsName))
            let index = GroundTruthIndex(dataset)
            try columns.resolve(groundTruth: index, path: resultsName)
            let (_, loaded) = TIDEBreakdown.restrict(dataset: dataset, results: AnalysisResults(columns: columns, index: index),
                                                     images: entry["imgIds"] as? [Int], categories: entry["catIds"] as? [Int])
            let fromColumns = try TIDEBreakdown.compute(dataset: cut, results: loaded, resultsPath: resultsName, groundTruthPath: gtName,
                                                        iouType: iouType, kind: kind, maxDetections: cap == -1 ? nil : cap,
                                                        parallelism: Parallelism(threads: 2))
            XCTAssertEqual(fromColumns.all, breakdown.all, "\(label) from columns")
            XCTAssertEqual(fromColumns.errorCounts, breakdown.errorCounts, "\(label) from columns")
            XCTAssertEqual(fromColumns.groups.map(\.scores), breakdown.groups.map(\.scores), "\(label) from columns")
            let counts = try XCTUnwrap(entry["counts"] as? [String: Any])
            XCTAssertEqual(breakdown.errorCounts, TIDEErrorKind.allCases.map { counts[$0.rawValue] as? Int ?? -1 }, "\(label) counts")
            if let groups = entry["groups"] as? [String: Any] {
                XCTAssertEqual(breakdown.groups.map(\.group), FrequencyGroup.allCases, label)
                for (group, scores) in breakdown.groups {
                    try checkScores(scores, try XCTUnwrap(groups[group.rawValue] as? [String: Any]), "\(label) group \(group.rawValue)")
                }
            } else {
                XCTAssertTrue(breakdown.groups.isEmpty, label)
            }
        }
        XCTAssertGreaterThan(compared, 34 * 9)
        print("TIDE: \(compared) numbers compared with tidecv, largest difference \(largest)")
    }

    /// Three detections, two ground truths: TP 0.9, FP 0.8, TP 0.7. Precision 1, 1/2, 2/3 made
    /// monotone: 1, 2/3, 2/3; recall 1/2, 1/2, 1. Recall points 0-0.50 take 1, 0.51-1 take 2/3.
    func testAPIntegrationByHand() {
        let points = [TIDEPoint(score: 0.8, isTrue: false), TIDEPoint(score: 0.9, isTrue: true), TIDEPoint(score: 0.7, isTrue: true)]
        var sum = 0.0
        for i in 0...100 { sum += i <= 50 ? 1 : 2.0 / 3 }
        XCTAssertEqual(TIDEAveragePrecision.classAP(points, groundTruths: 2), sum / 101 * 100)
        XCTAssertEqual(TIDEAveragePrecision.classAP(points, groundTruths: 0), 0)
        XCTAssertEqual(TIDEAveragePrecision.classAP([], groundTruths: 3), 0)
        // Ties keep insertion order: a false positive first costs precision at the first point.
        let tied = [TIDEPoint(score: 0.5, isTrue: false), TIDEPoint(score: 0.5, isTrue: true)]
        XCTAssertEqual(TIDEAveragePrecision.classAP(tied, groundTruths: 1), 50)
        XCTAssertEqual(TIDEAveragePrecision.classAP(Array(tied.reversed()), groundTruths: 1), 100)
        // tidecv's recall points are i / 100, not COCO's i * 0.01.
        XCTAssertEqual(TIDEAveragePrecision.recallPoints[35], 0.35)
        XCTAssertNotEqual(TIDEAveragePrecision.recallPoints[35], 35 * 0.01)
        XCTAssertNil(TIDEAveragePrecision.mean([]))
    }

    /// One image, classes 1 and 2: ground truths A (class 1) and B (class 2).
    /// d0 (1, 0.9) on A: TP. d1 (1, 0.8) IoU 0.7 with A: Dupe. d2 (2, 0.7) IoU 0.6 with A: Cls
    /// onto a matched A, no fix. d3 (1, 0.6) IoU 0.6 with B: Cls onto B, the best, fixed into
    /// class 2. d4 (2, 0.5) IoU 0.3 with B: Loc onto B, not the best. d5 (1, 0.4) IoU 0.05
    /// with A: Bkg. d6 (2, 0.3) IoU 0.2 with A only: Both. d7 (1, 0.2) in an ignore region.
    func testOneImageVerdicts() {
        let overlaps: [Double] = [1.0, 0, 0.7, 0, 0.6, 0, 0, 0.6, 0, 0.3, 0.05, 0, 0.2, 0, 0, 0]
        let outcome = TIDEImageAnalysis.analyse(truthClasses: [1, 2], predictionClasses: [1, 1, 2, 1, 2, 1, 2, 1],
                                                predictionScores: [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], overlaps: overlaps,
                                                ignorable: [false, false, false, false, false, false, false, true],
                                                thresholds: TIDEThresholds())
        XCTAssertEqual(outcome.states, [.matched, .unmatched, .unmatched, .unmatched, .unmatched, .unmatched, .unmatched, .ignored])
        XCTAssertEqual(outcome.errors, [
            .init(kind: .duplicate, prediction: 1, fixedClass: nil),
            .init(kind: .classification, prediction: 2, fixedClass: nil),
            .init(kind: .classification, prediction: 3, fixedClass: 2),
            .init(kind: .localization, prediction: 4, fixedClass: nil),
            .init(kind: .background, prediction: 5, fixedClass: nil),
            .init(kind: .both, prediction: 6, fixedClass: nil),
            .init(kind: .background, prediction: 7, fixedClass: nil),
        ])
        // B is unmatched but a Cls error points at it: a false negative, not a Miss error.
        XCTAssertEqual(outcome.falseNegatives.map(\.truth), [1])
        XCTAssertEqual(outcome.falseNegatives.map(\.isMissError), [false])
        // No predictions: every ground truth is missed.
        let empty = TIDEImageAnalysis.analyse(truthClasses: [3, 4], predictionClasses: [], predictionScores: [], overlaps: [],
                                              ignorable: [], thresholds: TIDEThresholds())
        XCTAssertEqual(empty.falseNegatives.map(\.isMissError), [true, true])
    }

    /// The variants by merging once-sorted runs equal the reference (every class's points
    /// built and sorted per variant), class order and doubles, on seeded images whose scores
    /// tie often (a tenth-step grid), with several classes, ignores and every error kind.
    func testMergedVariantsEqualTheReference() {
        var random = SeededRandom(seed: 21)
        var data = TIDEAPData(parallelism: Parallelism(threads: 2))
        for _ in 0..<200 {
            let g = random.nextInt(below: 5), p = random.nextInt(below: 12)
            let truthClasses = (0..<g).map { _ in 1 + random.nextInt(below: 6) }
            let predictionClasses = (0..<p).map { _ in 1 + random.nextInt(below: 7) }
            let scores = (0..<p).map { _ in Double(random.nextInt(below: 10)) / 10 }.sorted(by: >)
            let overlaps = (0..<(p * g)).map { _ in [0, 0.05, 0.3, 0.6, 0.9][random.nextInt(below: 5)] }
            let ignorable = (0..<p).map { _ in random.nextInt(below: 8) == 0 }
            let outcome = TIDEImageAnalysis.analyse(truthClasses: truthClasses, predictionClasses: predictionClasses,
                                                    predictionScores: scores, overlaps: overlaps, ignorable: ignorable,
                                                    thresholds: TIDEThresholds())
            data.add(problem: TIDEInput.ImageProblem(rows: Array(0..<p), truthClasses: truthClasses, predictionClasses: predictionClasses,
                                                     predictionScores: scores, overlaps: overlaps, ignorable: ignorable), outcome: outcome)
        }
        XCTAssertGreaterThan(data.errors.count, 100)
        XCTAssertEqual(Set(data.errors.map(\.kind)).count, TIDEErrorKind.allCases.count - 1, "every prediction error kind occurs")
        func same(_ a: TIDEAPData.ClassAPs, _ b: TIDEAPData.ClassAPs, _ label: String) {
            XCTAssertEqual(a.map(\.slot), b.map(\.slot), label)
            XCTAssertEqual(a.map(\.ap), b.map(\.ap), label)
        }
        XCTAssert(data.baseline().contains { $0.ap > 0 && $0.ap < 100 }, "the curves are not trivial")
        let sorted = data.sorted()
        same(data.baseline(sorted), data.baseline(), "baseline")
        for kind in TIDEErrorKind.allCases { same(data.fixing(kind, sorted: sorted), data.fixing(kind), kind.rawValue) }
        same(data.perfectRecall(sorted), data.perfectRecall(), "FalseNeg")
    }

    /// The radix order equals the comparison sort's (descending, index on ties) on seeded
    /// scores full of ties, signed zeros, negatives, subnormals and huge values; and on all-equal ones.
    func testScoreOrderRadixEqualsComparison() {
        var random = SeededRandom(seed: 7)
        let pool: [Double] = [0, -0.0, 1, 0.5, -0.5, 1e-310, -1e-310, 1e300, -1e300, 0.3, 0.30000000000000004]
        let scores = (0..<50_000).map { _ in
            random.nextInt(below: 3) == 0 ? random.nextDouble() * 2 - 1 : pool[random.nextInt(below: pool.count)]
        }
        XCTAssertGreaterThanOrEqual(scores.count, ScoreOrder.radixThreshold)
        XCTAssertEqual(ScoreOrder.radixDescending(scores), ScoreOrder.comparisonDescending(scores))
        let equal = [Double](repeating: 0.25, count: ScoreOrder.radixThreshold)
        XCTAssertEqual(ScoreOrder.radixDescending(equal), Array(equal.indices))
        XCTAssertEqual(ScoreOrder.descending([0.1, 0.3, 0.1, -0.0, 0.0]), [1, 0, 2, 3, 4])
    }

    func testRecordsTheIoUTypeNeedsAreNamed() throws {
        let gt = try Dataset.load(text: """
        {"images": [{"id": 1, "width": 10, "height": 10}], "categories": [{"id": 1, "name": "a"}],
         "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 25, "iscrowd": 0}]}
        """)
        let noBox = [DetectionResult(imageID: ImageID(1), categoryID: CategoryID(1), score: 1, bbox: BoxXYWH(x: 0, y: 0, width: 5, height: 5)),
                     DetectionResult(imageID: ImageID(1), categoryID: CategoryID(1), score: 1,
                                     segmentation: .polygons([[0, 0, 5, 0, 5, 5, 0, 5]]))]
        XCTAssertThrowsError(try TIDEBreakdown.compute(dataset: gt, results: noBox, resultsPath: "r.json", groundTruthPath: "gt.json",
                                                       iouType: .bbox, kind: .coco, maxDetections: 100)) {
            XCTAssert("\($0)".contains("r.json: results[1]: the result has no bbox"), "\($0)")
        }
        XCTAssertThrowsError(try TIDEBreakdown.compute(dataset: gt, results: noBox, resultsPath: "r.json", groundTruthPath: "gt.json",
                                                       iouType: .segm, kind: .coco, maxDetections: 100)) {
            XCTAssert("\($0)".contains("r.json: results[0]: the result has no segmentation"), "\($0)")
        }
        // Boxes are enough for bbox; the ground truth's missing segmentation only matters for segm.
        let boxes = try TIDEBreakdown.compute(dataset: gt, results: [noBox[0]], resultsPath: "r.json", groundTruthPath: "gt.json",
                                              iouType: .bbox, kind: .coco, maxDetections: 100)
        XCTAssertEqual(boxes.all.ap, 100)
        XCTAssertThrowsError(try TIDEBreakdown.compute(dataset: gt, results: [noBox[1]], resultsPath: "r.json", groundTruthPath: "gt.json",
                                                       iouType: .segm, kind: .coco, maxDetections: 100)) {
            XCTAssert("\($0)".contains("gt.json: annotations[0] (id 1): the annotation has no segmentation"), "\($0)")
        }
        let elsewhere = [DetectionResult(imageID: ImageID(7), categoryID: CategoryID(1), score: 1, bbox: BoxXYWH(x: 0, y: 0, width: 5, height: 5))]
        XCTAssertThrowsError(try TIDEBreakdown.compute(dataset: gt, results: elsewhere, resultsPath: "r.json", groundTruthPath: "gt.json",
                                                       iouType: .bbox, kind: .coco, maxDetections: 100)) {
            XCTAssert("\($0)".contains("results[0]: image_id 7 is not in the ground truth"), "\($0)")
        }
    }

    /// The chart: y axis up to the largest dAP rounded up to 5; Cls 7.5 of 10 fills 3/4 of the
    /// panel in grey (all classes), rare's Cls 10 the whole panel in rare's colour; an empty
    /// column stays white; the special errors sit after a one-column gap.
    func testChartBars() {
        func scores(cls: Double) -> TIDEScores {
            TIDEScores(ap: 50, main: [cls, 0, 0, 0, 0, 0], special: [1, 2])
        }
        let breakdown = TIDEBreakdown(iouType: .bbox, kind: .lvis, thresholds: TIDEThresholds(), maxDetections: 300,
                                      all: scores(cls: 7.5), errorCounts: [1, 0, 0, 0, 0, 0],
                                      groups: [(.rare, scores(cls: 10)), (.common, scores(cls: 0)), (.frequent, scores(cls: 0))])
        XCTAssertEqual(TIDEChart.yMax([breakdown]), 10)
        let canvas = TIDEChart.render([breakdown])
        let barWidth = (TIDEChart.columnWidth * 0.8 / 4).rounded(.down)
        let bottom = TIDEChart.top + TIDEChart.panelHeight - 2
        func barX(_ series: Int) -> Int { Int((TIDEChart.columnLeft(panel: 0, column: 0) + TIDEChart.columnWidth * 0.1 + Double(series) * barWidth).rounded() + barWidth / 2) }
        XCTAssertEqual(pixel(canvas, barX(0), bottom), TIDEChart.allColor)
        XCTAssertEqual(pixel(canvas, barX(0), TIDEChart.top + TIDEChart.panelHeight / 4 + 2), TIDEChart.allColor)
        XCTAssertEqual(pixel(canvas, barX(0), TIDEChart.top + TIDEChart.panelHeight / 4 - 2), .white)
        XCTAssertEqual(pixel(canvas, barX(1), TIDEChart.top + 2), FrequencyGroup.rare.plotColor)
        XCTAssertEqual(pixel(canvas, barX(2), bottom - 3), .white)
        XCTAssertEqual(TIDEChart.columnLeft(panel: 0, column: 6) - TIDEChart.columnLeft(panel: 0, column: 5), 2 * TIDEChart.columnWidth, accuracy: 1e-9)
    }

    func pixel(_ canvas: Canvas, _ x: Int, _ y: Int) -> RGBColor {
        let at = (y * canvas.width + x) * 3, p = canvas.image.pixels
        return RGBColor(red: p[at], green: p[at + 1], blue: p[at + 2])
    }
}
