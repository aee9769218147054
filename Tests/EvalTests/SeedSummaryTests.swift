// `detect-eval compare --by-seed`: models named METHOD@SEED grouped by method in the order
// given, each stat as mean ± sample sd (n - 1), one seed printed alone, absent stats skipped;
// the APr-vs-APf scatter puts each seed's square where its values say.
import Foundation
import SharedData
import SharedEval
import XCTest

final class SeedSummaryTests: XCTestCase {
    func model(_ name: String, _ ap: Double, _ apr: Double, _ apf: Double) -> ModelResults {
        ModelResults(name: name, stats: [.bbox: ["AP": ap, "APr": apr, "APc": -1, "APf": apf]])
    }

    func testMeanAndSampleStandardDeviationPerMethod() {
        let models = [model("ebl@1", 0.30, 0.10, 0.40), model("ce@1", 0.20, 0.02, 0.42), model("ebl@2", 0.34, 0.16, 0.38),
                      model("ce@2", 0.22, 0.04, 0.40), model("ebl@3", 0.32, 0.13, 0.39), model("seesaw@1", 0.25, 0.08, 0.41)]
        let groups = SeedGroup.groups(models)
        XCTAssertEqual(groups.map(\.method), ["ebl", "ce", "seesaw"])
        XCTAssertEqual(groups[0].seeds, ["1", "2", "3"])
        let ap = try! XCTUnwrap(groups[0].statistic(.bbox, "AP"))
        XCTAssertEqual(ap.mean, 0.32, accuracy: 1e-12)
        XCTAssertEqual(ap.sd!, 0.02, accuracy: 1e-12)  // deviations -0.02, 0.02, 0: sqrt(0.0008 / 2)
        XCTAssertNil(groups[0].statistic(.bbox, "APc"))
        XCTAssertNil(groups[2].statistic(.bbox, "AP")!.sd)
        let table = SeedSummary.table(models)
        let lines = table.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5)
        XCTAssert(lines[0].hasPrefix("| method") && lines[0].contains("seeds") && lines[0].contains("bbox APr"), lines[0])
        XCTAssert(lines[2].contains("| ebl ") && lines[2].contains("0.320 ± 0.020") && lines[2].contains("0.130 ± 0.030"), lines[2])
        XCTAssert(lines[3].contains("| ce ") && lines[3].contains("0.210 ± 0.014"), lines[3])
        XCTAssert(lines[4].contains("| seesaw ") && lines[4].contains(" 0.250 |") && lines[4].contains(" - |"), lines[4])
    }

    func pixel(_ canvas: Canvas, _ x: Int, _ y: Int) -> RGBColor {
        let at = (y * canvas.width + x) * 3, p = canvas.image.pixels
        return RGBColor(red: p[at], green: p[at + 1], blue: p[at + 2])
    }

    func testScatterPutsEachSeedAtItsValues() {
        let models = [model("a@1", 0.3, 0.2, 0.4), model("a@2", 0.3, 0.1, 0.2)]
        let canvas = FrequencyScatter.render(models)
        // Axis to 0.4; panel at x 50, y 40, 300 px: APf 0.4, APr 0.2 -> (350, 190).
        let color = FrequencyChart.seriesColor(0)
        XCTAssertEqual(pixel(canvas, 349, 189), color)
        XCTAssertEqual(pixel(canvas, 50 + 150 - 1, 40 + 225 - 1), color)  // APf 0.2, APr 0.1
        XCTAssertNotEqual(pixel(canvas, 120, 100), color)
    }
}
