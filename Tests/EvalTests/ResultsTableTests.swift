// detect-eval compare's input and table: a `--json` document read back gives exactly the
// stats it was written from, and the tables print them (three decimals, "-" when absent).
import Foundation
import SharedData
import SharedEval
import SharedSupport
import XCTest

final class ResultsTableTests: XCTestCase {
    func evaluateFixture() throws -> [EvaluationReport] {
        try DetectionEvaluation(groundTruthPath: Fixtures.path("lvis_rules_gt.json"), resultsPath: Fixtures.path("lvis_rules_segm.json"),
                                style: nil, iouTypes: [.bbox, .segm]).run(parallelism: Parallelism(threads: 1))
    }

    func temporaryFile(_ name: String, _ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("results-table-\(getpid())-\(name)").path
        try writeFileAtomically(path, text: text)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testJSONDocumentReadsBackToTheSameStats() throws {
        let reports = try evaluateFixture()
        let path = try temporaryFile("eval.json", JSONReport.document(reports))
        let read = try EvaluationJSONReader.read(name: "loce", path: path)
        XCTAssertEqual(read, ModelResults(name: "loce", reports: reports))
        for report in reports {
            for stat in report.stats {
                XCTAssertEqual(read.stats[report.iouType]?[stat.name], stat.value, "\(report.iouType) \(stat.name)")
            }
        }
        XCTAssertEqual(read.iouTypes, [.bbox, .segm])
    }

    func testWideTableHasTheInputNumbersInColumnOrder() throws {
        let a = ModelResults(name: "baseline", stats: [.bbox: ["AP": 0.25, "APr": 0.1, "APc": 0.2, "APf": 0.3],
                                                       .segm: ["AP": 0.2, "APr": -1, "APc": 0.15, "APf": 0.2504]])
        let b = ModelResults(name: "loce", stats: [.bbox: ["AP": 0.3, "APr": 0.2, "APc": 0.25, "APf": 0.35]])
        let lines = ResultsTable.wide([a, b]).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4)
        func cells(_ line: String) -> [String] { line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        XCTAssertEqual(cells(lines[0]), ["model", "bbox AP", "bbox APr", "bbox APc", "bbox APf", "segm AP", "segm APr", "segm APc", "segm APf"])
        XCTAssertEqual(cells(lines[2]), ["baseline", "0.250", "0.100", "0.200", "0.300", "0.200", "-", "0.150", "0.250"])
        XCTAssertEqual(cells(lines[3]), ["loce", "0.300", "0.200", "0.250", "0.350", "-", "-", "-", "-"])
        XCTAssertEqual(Set(lines.map(\.count)).count, 1, "columns are aligned")
    }

    func testByTypeTableMatchesTheReports() throws {
        let reports = try evaluateFixture()
        let lines = ResultsTable.byType([ModelResults(name: "m", reports: reports)]).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        for (line, report) in zip(lines.dropFirst(2), reports) {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(cells[1], report.iouType.rawValue)
            for (cell, name) in zip(cells.dropFirst(2), ResultsTable.byTypeColumns) {
                let value = try XCTUnwrap(report.stat(name))
                XCTAssertEqual(cell, value < 0 ? "-" : TextSummary.fixed(value, 3), name)
            }
        }
    }

    func testNotAnEvaluationIsADataErrorNamingTheFile() throws {
        let path = try temporaryFile("not-eval.json", "{\"images\": []}")
        XCTAssertThrowsError(try EvaluationJSONReader.read(name: "x", path: path)) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.exitCode, .dataError)
            XCTAssertEqual(toolError?.file, path)
        }
        XCTAssertThrowsError(try EvaluationJSONReader.read(name: "x", path: "/nonexistent/eval.json")) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .ioError)
        }
    }
}
