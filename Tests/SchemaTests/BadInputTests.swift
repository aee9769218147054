// Every kind of bad input gives a ToolError naming the file, the first offending record
// and its line/column: malformed JSON, string ids, NaN/inf, negative boxes, missing fields.
import SharedData
import SharedSupport
import XCTest

final class BadInputTests: XCTestCase {
    private let goodAnnotation = #"{"id": 1, "image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "area": 12}"#

    func testValidMinimalDocumentLoads() throws {
        let dataset = try Dataset.load(text: cocoDocument(annotation: goodAnnotation))
        XCTAssertEqual(dataset.annotations.count, 1)
        XCTAssertNil(dataset.annotations[0].segmentation)
    }

    func testMalformedJSONNamesLineAndColumn() throws {
        let text = "{\"images\": [\n  {\"id\": 1, \"width\": 10 \"height\": 8}]}"
        let error = try XCTUnwrap(toolError { _ = try Dataset.load(text: text, path: "gt.json") })
        XCTAssertEqual(error.file, "gt.json")
        XCTAssertEqual(error.record, "line 2, column 25")
        XCTAssertEqual(error.message, "unexpected character '\"', expected ',' or '}'")
    }

    func testTruncatedFile() throws {
        let text = String(cocoDocument(annotation: goodAnnotation).dropLast(10))
        let error = try XCTUnwrap(toolError { _ = try Dataset.load(text: text) })
        XCTAssertTrue(error.message.contains("unexpected end of input"), error.message)
    }

    func testStringIDInAnnotation() throws {
        let annotation = #"{"id": 1, "image_id": "1", "category_id": 3, "bbox": [1, 2, 3, 4], "area": 12}"#
        let error = try XCTUnwrap(toolError { _ = try Dataset.load(text: cocoDocument(annotation: annotation)) })
        XCTAssertEqual(error.message, "image_id is the string \"1\"; ids must be JSON integers")
        XCTAssertEqual(error.record, "annotations[0] (id 1) (line 3, column 40)")
    }

    func testFractionalIDIsAnError() throws {
        let annotation = #"{"id": 1.5, "image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "area": 12}"#
        let error = try XCTUnwrap(toolError { _ = try Dataset.load(text: cocoDocument(annotation: annotation)) })
        XCTAssertTrue(error.message.hasPrefix("id must be an integer id"), error.message)
    }

    func testNegativeBoxSize() throws {
        let annotation = #"{"id": 1, "image_id": 1, "category_id": 3, "bbox": [1, 2, -3, 4], "area": 12}"#
        let error = try XCTUnwrap(toolError { _ = try Dataset.load(text: cocoDocument(annotation: annotation)) })
        XCTAssertTrue(error.message.contains("negative size"), error.message)
        XCTAssertTrue(error.record?.hasPrefix("annotations[0] (id 1)") ?? false)
    }

    func testBoxWithThreeNumbers() throws {
        let annotation = #"{"id": 1, "image_id": 1, "category_id": 3, "bbox": [1, 2, 3], "area": 12}"#
        let error = try XCTUnwrap(toolError { _ = try Dataset.load(text: cocoDocument(annotation: annotation)) })
        XCTAssertTrue(error.message.contains("has 3 numbers"), error.message)
    }

    func testMissingRequiredFields() throws {
        let annotation = #"{"id": 4, "image_id": 1, "bbox": [1, 2, 3, 4], "area": 12}"#
        let error = try XCTUnwrap(toolError { _ = try Dataset.load(text: cocoDocument(annotation: annotation)) })
        XCTAssertEqual(error.message, "required field \"category_id\" is missing")
        XCTAssertEqual(error.record, "annotations[0] (id 4) (line 3, column 18)")

        let image = #"{"id": 1, "height": 8}"#
        let imageError = try XCTUnwrap(toolError { _ = try Dataset.load(text: cocoDocument(annotation: goodAnnotation, image: image)) })
        XCTAssertEqual(imageError.message, "required field \"width\" is missing")
        XCTAssertEqual(toolError { _ = try Dataset.load(text: #"{"images": []}"#) }?.message, "the file has no \"categories\" list")
    }

    func testDuplicateIDs() throws {
        let text = cocoDocument(annotation: goodAnnotation + ", " + goodAnnotation)
        let error = try XCTUnwrap(toolError { _ = try Dataset.load(text: text) })
        XCTAssertEqual(error.message, "duplicate id 1 in annotations")
        XCTAssertEqual(error.record, "annotations[1] (id 1)")
    }

    func testBadFrequencyGroup() throws {
        let category = #"{"id": 3, "name": "cat", "frequency": "x"}"#
        let error = try XCTUnwrap(toolError { _ = try Dataset.load(text: cocoDocument(annotation: goodAnnotation, category: category)) })
        XCTAssertTrue(error.message.contains("expected \"r\", \"c\" or \"f\""), error.message)
    }

    func testResultsFileGivenAsGroundTruthAndViceVersa() throws {
        XCTAssertNotNil(toolError { _ = try Dataset.load(text: "[]") }?.hint)
        XCTAssertNotNil(toolError { try DetectionResultsReader.read(text: cocoDocument(annotation: self.goodAnnotation)) { _ in } }?.hint)
    }

    func testNaNAndInfiniteScores() throws {
        for literal in ["NaN", "Infinity", "-Infinity", "1e999"] {
            let text = "[{\"image_id\": 1, \"category_id\": 3, \"bbox\": [1, 2, 3, 4], \"score\": 0.5},\n"
                + " {\"image_id\": 1, \"category_id\": 3, \"bbox\": [1, 2, 3, 4], \"score\": \(literal)}]"
            let error = try XCTUnwrap(toolError { try DetectionResultsReader.read(text: text, path: "dt.json") { _ in } })
            XCTAssertEqual(error.file, "dt.json")
            XCTAssertTrue(error.message.hasPrefix("score is "), error.message)
            XCTAssertEqual(error.record, "results[1] (line 2, column 67)", literal)
        }
    }

    func testResultErrors() throws {
        let cases: [(String, String)] = [
            (#"[{"image_id": "42", "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}]"#, "image_id is the string \"42\""),
            (#"[{"image_id": 42, "category_id": 3, "bbox": [1, 2, 3, -4], "score": 0.5}]"#, "negative size"),
            (#"[{"image_id": 42, "category_id": 3, "bbox": [1, 2, 3, NaN], "score": 0.5}]"#, "bbox is nan"),
            (#"[{"image_id": 42, "category_id": 3, "bbox": [1, 2, 3, 4]}]"#, "required field \"score\" is missing"),
            (#"[{"image_id": 42, "category_id": 3, "score": 0.5}]"#, "neither \"bbox\" nor \"segmentation\""),
            (#"[{"image_id": 42, "category_id": 3, "score": 0.5, "segmentation": {"counts": "abc"}}]"#, "no size"),
            (#"[{"image_id": 42, "category_id": 3, "score": 0.5, "segmentation": [1, 2, 3]}]"#, "list of polygons"),
            (#"[{"image_id": 42, "category_id": 3, "score": 0.5, "bbox": [1, 2, 3, 4]} {}]"#, "expected ',' or ']'"),
            (#"[{"image_id": 42, "category_id": 3, "score": 0.5, "bbox": [1, 2, 3, 4]}, 7]"#, "must be an object"),
        ]
        for (text, expected) in cases {
            let error = try XCTUnwrap(toolError { try DetectionResultsReader.read(text: text) { _ in } }, text)
            XCTAssertTrue(error.message.contains(expected), "\(text): \(error.message)")
            XCTAssertNotNil(error.record, text)
        }
    }

    /// pycocotools' loadRes treats `"bbox": []` as no box (a segm result).
    func testEmptyResultBoxIsNoBox() throws {
        let text = #"[{"image_id": 1, "category_id": 3, "score": 0.5, "bbox": [], "segmentation": {"size": [2, 2], "counts": "04"}}]"#
        let results = try DetectionResultsReader.readAll(text: text)
        XCTAssertNil(results[0].bbox)
        let annotation = #"{"id": 1, "image_id": 1, "category_id": 3, "bbox": [], "area": 12}"#
        XCTAssertEqual(toolError { _ = try Dataset.load(text: cocoDocument(annotation: annotation)) }?.message,
                       "bbox is empty; expected [x, y, width, height]")
    }

    func testSegmentationForms() throws {
        let text = """
        [{"image_id": 1, "category_id": 3, "score": 0.5, "segmentation": {"size": [2, 3], "counts": [1, 2, 3]}},
         {"image_id": 1, "category_id": 3, "score": 0.5, "segmentation": {"size": [2, 3], "counts": "a\\\\b"}},
         {"image_id": 1, "category_id": 3, "score": 0.5, "bbox": [0, 0, 1, 1], "segmentation": [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]}]
        """
        let results = try DetectionResultsReader.readAll(text: text)
        XCTAssertEqual(results.map(\.segmentation), [
            .uncompressedRLE(height: 2, width: 3, counts: [1, 2, 3]),
            .compressedRLE(height: 2, width: 3, counts: Array("a\\b".utf8)),
            .polygons([[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]),
        ])
    }
}
