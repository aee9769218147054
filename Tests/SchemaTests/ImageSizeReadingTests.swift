// An image's width and height as each use needs them: conversion reads any integer so that
// convert can refuse a zero, negative or huge image alone (counted, the rest converted);
// evaluation keeps refusing a negative size for the whole file; neither accepts a non-integer.
import SharedData
import SharedSupport
import XCTest

final class ImageSizeReadingTests: XCTestCase {
    private let annotation = #"{"id": 1, "image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "area": 12}"#

    func testConversionReadsZeroNegativeAndHugeSizes() throws {
        for (width, height) in [(0, 0), (-5, 8), (4_611_686_018_427_387_904, 4)] {
            let image = #"{"id": 1, "width": \#(width), "height": \#(height)}"#
            let dataset = try Dataset.load(text: cocoDocument(annotation: annotation, image: image), use: .conversion)
            XCTAssertEqual(dataset.images[0].width, width)
            XCTAssertEqual(dataset.images[0].height, height)
        }
    }

    func testEvaluationRefusesANegativeSizeNamingTheRecord() throws {
        let image = #"{"id": 1, "width": -5, "height": 8}"#
        let error = try XCTUnwrap(toolError { _ = try Dataset.load(text: cocoDocument(annotation: annotation, image: image), path: "gt.json") })
        XCTAssertEqual(error.file, "gt.json")
        XCTAssertEqual(error.message, "width is negative (-5)")
        XCTAssertTrue(error.record?.hasPrefix("images[0] (id 1)") ?? false, "\(error)")
    }

    func testNonIntegerSizesAreErrorsForEveryUse() throws {
        for value in ["1e300", "12.5", "\"640\""] {
            for use in [GroundTruthUse.conversion, .evaluation] {
                let image = #"{"id": 1, "width": \#(value), "height": 8}"#
                let error = try XCTUnwrap(toolError { _ = try Dataset.load(text: cocoDocument(annotation: annotation, image: image),
                                                                             path: "gt.json", use: use) })
                XCTAssertTrue(error.message.hasPrefix("width must be an integer"), "\(value): \(error)")
                XCTAssertTrue(error.record?.hasPrefix("images[0] (id 1)") ?? false, "\(value): \(error)")
            }
        }
    }
}
