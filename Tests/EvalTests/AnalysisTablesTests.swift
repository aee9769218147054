// The report's side-by-side analyses on hand-checkable inputs: the long-tail totals and the
// detail table read the matrix's rare/common rows and frequent columns; the heat maps of
// several models show the same classes (involvement summed); the TIDE chart's rows share one
// y axis; the TIDE table carries every breakdown's numbers.
import Foundation
import SharedData
@testable import SharedEval
import SharedSupport
import XCTest

final class AnalysisTablesTests: XCTestCase {
    /// Image 1: a rare (1), a common (2) and a frequent (3) ground truth, each 20 x 20.
    let gt = try! Dataset.load(text: """
    {"images": [{"id": 1, "width": 100, "height": 100, "neg_category_ids": [], "not_exhaustive_category_ids": []}],
     "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 20, 20], "area": 400},
                     {"id": 2, "image_id": 1, "category_id": 2, "bbox": [50, 50, 20, 20], "area": 400},
                     {"id": 3, "image_id": 1, "category_id": 3, "bbox": [0, 50, 20, 20], "area": 400}],
     "categories": [{"id": 1, "name": "rare | one", "frequency": "r"}, {"id": 2, "name": "common", "frequency": "c"},
                    {"id": 3, "name": "frequent", "frequency": "f"}]}
    """)

    func detection(_ category: Int, _ x: Double, _ y: Double, score: Double = 0.9) -> DetectionResult {
        DetectionResult(imageID: ImageID(1), categoryID: CategoryID(category), score: score, bbox: BoxXYWH(x: x, y: y, width: 20, height: 20))
    }

    func testTailTotalsAndDetailFollowTheMatrix() throws {
        // Baseline: frequent detections on the rare and the common ground truth; LOCE: the rare one right.
        let baseline = try ConfusionMatrix.compute(dataset: gt, results: [detection(3, 0, 0), detection(3, 50, 50), detection(3, 0, 50)],
                                                   resultsPath: "b.json")
        let loce = try ConfusionMatrix.compute(dataset: gt, results: [detection(1, 0, 0), detection(3, 50, 50), detection(3, 0, 50)],
                                               resultsPath: "l.json")
        let totals = AnalysisTables.tailTotals(baseline)
        XCTAssertEqual(totals.rareToFrequent, baseline[groundTruth: 0, detected: 2])
        XCTAssertEqual(totals.commonToFrequent, baseline[groundTruth: 1, detected: 2])
        XCTAssertEqual(totals.rareRowTotal, (0..<baseline.size).reduce(0) { $0 + baseline[groundTruth: 0, detected: $1] })
        XCTAssertGreaterThan(totals.rareToFrequent, 0)
        XCTAssertEqual(AnalysisTables.tailTotals(loce).rareToFrequent, 0, "the rare ground truth is found by its own class")

        let models = [ModelAnalyses(name: "baseline", tide: [], confusion: baseline), ModelAnalyses(name: "loce", tide: [], confusion: loce)]
        let rows = AnalysisTables.tailTotals(models).split(separator: "\n").dropFirst(2)
            .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        XCTAssertEqual(rows.map { $0[0] }, ["baseline", "loce"])
        XCTAssertEqual(rows[0][1], String(totals.rareToFrequent))
        XCTAssertEqual(rows[0][2], TextSummary.fixed(100 * Double(totals.rareToFrequent) / Double(totals.rareRowTotal), 1) + " %")
        // Detail: both tail classes (baseline has counts for each), the name's `|` escaped.
        let detail = AnalysisTables.tailDetail(models)
        XCTAssert(detail.contains("rare \\| one (1)"), detail)
        XCTAssert(detail.contains("common (2)"), detail)
        XCTAssert(detail.contains("frequent (3) \(baseline[groundTruth: 0, detected: 2])"), detail)
        // The heat maps' classes: involvement summed over both models.
        XCTAssertEqual(ConfusionHeatMap.classes(of: [baseline, loce], limit: 30),
                       ConfusionHeatMap.classes(of: [baseline], limit: 30))
        XCTAssertEqual(ConfusionHeatMap.classes(of: [loce], limit: 30), [1, 2], "LOCE alone: only common -> frequent")
    }

    func testTIDETableAndChartRows() {
        func breakdown(cls: Double) -> TIDEBreakdown {
            let scores = TIDEScores(ap: 40, main: [cls, 1, 0, 0, 0, 0], special: [2, 3])
            return TIDEBreakdown(iouType: .bbox, kind: .lvis, thresholds: TIDEThresholds(), maxDetections: 300, all: scores,
                                 errorCounts: [1, 1, 0, 0, 0, 0], groups: [(.rare, scores), (.common, scores), (.frequent, scores)])
        }
        let a = breakdown(cls: 10), b = breakdown(cls: 5)
        let table = AnalysisTables.tide([ModelAnalyses(name: "a", tide: [a], confusion: nil), ModelAnalyses(name: "b", tide: [b], confusion: nil)])
        let rows = table.split(separator: "\n").dropFirst(2).map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        XCTAssertEqual(rows.map { $0.prefix(3).joined(separator: " ") },
                       ["a bbox all", "a bbox r", "a bbox c", "a bbox f", "b bbox all", "b bbox r", "b bbox c", "b bbox f"])
        XCTAssertEqual(rows[4][4], TextSummary.fixed(5, 2), "b's Cls")
        // Two rows of panels, one axis up to 10: b's Cls bar (5) fills half of its panel.
        let canvas = TIDEChart.render(rows: [("a", [a]), ("b", [b])])
        XCTAssertEqual(canvas.height, 2 * TIDEChart.rowHeight + TIDEChart.legendHeight)
        let barWidth = (TIDEChart.columnWidth * 0.8 / 4).rounded(.down)
        let x = Int((TIDEChart.columnLeft(panel: 0, column: 0) + TIDEChart.columnWidth * 0.1).rounded() + barWidth / 2)
        let top = TIDEChart.rowHeight + TIDEChart.top
        XCTAssertEqual(pixel(canvas, x, top + TIDEChart.panelHeight / 2 + 2), TIDEChart.allColor)
        XCTAssertEqual(pixel(canvas, x, top + TIDEChart.panelHeight / 2 - 2), .white)
        XCTAssertEqual(pixel(canvas, x, TIDEChart.top + 2), TIDEChart.allColor, "a's Cls (10) fills its panel")
    }

    func pixel(_ canvas: Canvas, _ x: Int, _ y: Int) -> RGBColor {
        let at = (y * canvas.width + x) * 3, p = canvas.image.pixels
        return RGBColor(red: p[at], green: p[at + 1], blue: p[at + 2])
    }
}
