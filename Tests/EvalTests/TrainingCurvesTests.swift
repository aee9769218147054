// `detect-eval compare --log NAME=log.jsonl --curves DIR`: a fit's log read back (iteration
// lines' loss and learning rate, validation lines' metrics, nulls left out; a bad line named
// by number), and the curve PNGs written (val.png only when a run was validated), each line
// drawn where its values say.
import Foundation
import SharedData
@testable import SharedEval
import SharedSupport
import XCTest

final class TrainingCurvesTests: XCTestCase {
    func temporary(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("curves-\(getpid())-\(name)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    let log = """
    {"iteration":1,"epoch":0,"lr":0.01,"loss":4.0,"loss_cls":1.0}
    {"iteration":2,"epoch":0,"lr":0.02,"loss":3.0,"loss_cls":0.8}
    {"iteration":2,"val":{"bbox_AP":0.1,"bbox_APr":null,"segm_AP":0.2,"segm_APr":0.05}}
    {"iteration":3,"epoch":0,"lr":0.02,"loss":2.0,"loss_cls":0.5}
    {"iteration":3,"val":{"bbox_AP":0.15,"bbox_APr":0.01,"segm_AP":0.3,"segm_APr":0.1}}

    """

    func testLogReadsBackAndCurvesAreDrawn() throws {
        let path = temporary("log.jsonl")
        try writeFileAtomically(path, text: log)
        let read = try TrainingLog.read(name: "run", path: path)
        XCTAssertEqual(read.losses.map(\.iteration), [1, 2, 3])
        XCTAssertEqual(read.losses.map(\.value), [4, 3, 2])
        XCTAssertEqual(read.learningRates.map(\.value), [0.01, 0.02, 0.02])
        XCTAssertEqual(read.validations.map(\.iteration), [2, 3])
        XCTAssertEqual(read.validations[0].metrics, ["bbox_AP": 0.1, "segm_AP": 0.2, "segm_APr": 0.05])

        let folder = temporary("curves")
        let written = try TrainingCurves.write([read], to: folder)
        XCTAssertEqual(written.map { URL(fileURLWithPath: $0).lastPathComponent }, ["loss.png", "lr.png", "val.png"])
        // The loss panel: x to iteration 3, y to 5 (the nice ceiling of 4); loss 2 at iteration 3
        // is the panel's right edge at 60% of its height from the top.
        let loss = TrainingCurves.panels([("total loss", [(label: "run", color: FrequencyChart.seriesColor(0), points: read.losses)])])
        let x = TrainingCurves.left + TrainingCurves.panelWidth - 1
        let y = TrainingCurves.top + Int(Double(TrainingCurves.panelHeight) * 0.6)
        let near = (-2...2).flatMap { dx in (-2...2).map { dy in pixel(loss, x + dx, y + dy) } }
        XCTAssert(near.contains(FrequencyChart.seriesColor(0)), "no loss line at (\(x), \(y))")

        let unvalidated = temporary("plain.jsonl")
        try writeFileAtomically(unvalidated, text: String(log.split(separator: "\n")[0]) + "\n")
        let plain = try TrainingCurves.write([try TrainingLog.read(name: "plain", path: unvalidated)], to: temporary("plain"))
        XCTAssertEqual(plain.count, 2)
    }

    func testABadLineIsNamed() throws {
        let path = temporary("bad.jsonl")
        try writeFileAtomically(path, text: "{\"iteration\":1,\"loss\":2}\n[1,2]\n")
        XCTAssertThrowsError(try TrainingLog.read(name: "bad", path: path)) { error in
            XCTAssert("\(error)".contains("line 2"), "\(error)")
        }
        XCTAssertThrowsError(try TrainingLog.read(name: "missing", path: temporary("missing.jsonl"))) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .ioError)
        }
    }

    func testNiceCeilings() {
        XCTAssertEqual(TrainingCurves.niceCeiling(4), 5)
        XCTAssertEqual(TrainingCurves.niceCeiling(0.42), 0.5)
        XCTAssertEqual(TrainingCurves.niceCeiling(0.02), 0.02)
        XCTAssertEqual(TrainingCurves.niceCeiling(0.021), 0.025)
        XCTAssertEqual(TrainingCurves.niceCeiling(0), 0.1)
    }

    func pixel(_ canvas: Canvas, _ x: Int, _ y: Int) -> RGBColor {
        let at = (y * canvas.width + x) * 3, p = canvas.image.pixels
        return RGBColor(red: p[at], green: p[at + 1], blue: p[at + 2])
    }
}
