// Audit regression: hints fit what is being read. A NaN in ground truth is an annotation-file
// problem (not a diverged model); a results file given as ground truth gets the advice of the
// tool reading it (detect-eval: pass it as results; lvis-prep: --annotations needs ground truth).
import SharedData
import SharedSupport
import XCTest

final class HintTests: XCTestCase {
    func testNonFiniteGroundTruthBoxPointsAtTheAnnotationFile() throws {
        for literal in ["NaN", "Infinity"] {
            let annotation = #"{"id": 1, "image_id": 1, "category_id": 3, "bbox": [1, 2, \#(literal), 4], "area": 12}"#
            let error = try XCTUnwrap(toolError { _ = try Dataset.load(text: cocoDocument(annotation: annotation), use: .conversion) })
            XCTAssertTrue(error.message.hasPrefix("bbox is "), error.message)
            let hint = try XCTUnwrap(error.hint)
            XCTAssertTrue(hint.contains("annotation file"), hint)
            XCTAssertFalse(hint.contains("training log"), hint)
            // The same for detect-eval's ground truth: the file, not a model, holds the NaN.
            let evaluation = try XCTUnwrap(toolError { _ = try Dataset.load(text: cocoDocument(annotation: annotation)) })
            XCTAssertEqual(evaluation.hint, hint)
        }
    }

    func testNonFiniteDetectionStillPointsAtTheModel() throws {
        let text = #"[{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": NaN}]"#
        let error = try XCTUnwrap(toolError { try DetectionResultsReader.read(text: text) { _ in } })
        XCTAssertEqual(error.hint, "a model that outputs NaN or infinity diverged; check its training log")
    }

    func testResultsFileAsGroundTruthHintDependsOnTheUse() throws {
        let results = #"[{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}]"#
        let evaluation = try XCTUnwrap(toolError { _ = try Dataset.load(text: results) })
        XCTAssertEqual(evaluation.hint, "is this a results file? pass it as the results argument")
        let conversion = try XCTUnwrap(toolError { _ = try Dataset.load(text: results, use: .conversion) })
        let hint = try XCTUnwrap(conversion.hint)
        XCTAssertTrue(hint.contains("--annotations"), hint)
        XCTAssertFalse(hint.contains("results argument"), hint)
        XCTAssertEqual(conversion.message, evaluation.message)
    }
}
