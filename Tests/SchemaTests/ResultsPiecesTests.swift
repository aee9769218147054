// The results list read in pieces on several threads (DetectionResultsReader+Pieces): the
// same results and the same errors as the serial read, on the committed fixtures and on
// generated lists with hard strings; the cuts (ResultsArrayCuts) land between records.
import Foundation
@testable import SharedData
import SharedSupport
import XCTest

final class ResultsPiecesTests: XCTestCase {
    private let threadCounts = [1, 2, 3, 8]

    /// The results of `input` read in pieces of at least `pieceBytes` on `threads` threads,
    /// and the indices `body` was given, part by part.
    private func readInPieces(_ input: JSONInput, threads: Int, pieceBytes: Int) throws -> (results: [DetectionResult], parts: [[Int]]) {
        let parts = try DetectionResultsReader.read(input: input, parallelism: Parallelism(threads: threads), minimumPieceBytes: pieceBytes,
                                                    makePart: { _ in (results: [DetectionResult](), indices: [Int]()) }) { part, result, index in
            part.results.append(result)
            part.indices.append(index)
        }
        return (parts.flatMap(\.results), parts.map(\.indices))
    }

    /// The offsets of the commas (and the `]`) after each result, as the serial reader walks them.
    private func boundaries(_ input: JSONInput) throws -> [Int] {
        var reader = input.makeReader()
        var offsets: [Int] = []
        try reader.beginArray()
        var first = true
        while true {
            let offset = reader.valueOffset()
            if !first { offsets.append(offset) }
            first = false
            guard try reader.nextElement() else { break }
            try reader.skipValue()
        }
        return offsets
    }

    /// Result `i` of a generated list: boxes, RLE strings with escaped quotes and backslashes
    /// (and `}, {` inside them), polygons, uncompressed RLE, null and empty fields, unknown keys.
    private func record(_ i: Int, nestedObjects: Bool = false) -> String {
        let head = #"{"image_id": \#(i % 97), "category_id": \#(i % 13 + 1), "score": 0.\#(i % 1000 + 1)"#
        let extra = nestedObjects ? #", "extra": [{"a": 1}, {"b": "}, {"}]"# : ""
        switch i % 7 {
        case 0: return head + #", "bbox": [\#(i), 2.5, 3e1, 4]\#(extra)}"#
        case 1: return head + #", "segmentation": {"size": [480, 640], "counts": "a\\\"b}, {\\\\\"c\#(i)\\\\"}\#(extra)}"#
        case 2: return head + #", "bbox": [], "segmentation": [[1, 2, 3, 4.5, 5, 6], [7, 8, 9, 10, 11, \#(i)]]\#(extra), "note": "\"}, {\"image_id\": 1}"}"#
        case 3: return head + #",\#n "segmentation" : { "counts" : [1, 2, \#(i)], "size" : [4, 5] }, "bbox": null\#(extra)}"#
        case 4: return #"{"segmentation": {"counts": "\\\\\\\\\u0041\/", "size": [2, 3]}, "bbox": [1, 1, 1, 1], "#
            + #""score": 1e-3, "category_id": 7, "image_id": \#(i)\#(extra)}"#
        case 5: return head + #", "bbox": [0, 0, 0, 0], "segmentation": null, "id": "\\\\"\#(extra)}"#
        default: return head + #", "segmentation": {"size": [9, 9], "counts": "}}]],,{{[[\\\\"}, "area": {"x": [{}]}\#(extra)}"#
        }
    }

    private func document(_ count: Int, nestedObjects: Bool = false) -> String {
        let separators = [", ", ",\n", " ,\t\r\n  ", ","]
        var text = "\n ["
        for i in 0..<count {
            if i > 0 { text += separators[i % separators.count] }
            text += record(i, nestedObjects: nestedObjects)
        }
        return text + "]\n"
    }

    func testGeneratedListsReadAsTheSerialReaderReadsThem() throws {
        for count in [0, 1, 2, 7, 50, 400] {
            let text = document(count)
            let input = JSONInput(text: text)
            let serial = try DetectionResultsReader.readAll(text: text)
            XCTAssertEqual(serial.count, count)
            let cuts = ResultsArrayCuts.cuts(input.bytes.bindMemory(to: UInt8.self), pieces: 16, window: 1 << 20)
            XCTAssertTrue(Set(cuts).isSubset(of: try boundaries(input)), "\(count): \(cuts)")
            if count >= 50 { XCTAssertGreaterThan(cuts.count, 8, "\(count)") }
            for threads in threadCounts {
                for pieceBytes in [1, 100, 1000] {
                    let (results, parts) = try readInPieces(input, threads: threads, pieceBytes: pieceBytes)
                    XCTAssertEqual(results, serial, "\(count) results, \(threads) threads, pieces of \(pieceBytes) bytes")
                    XCTAssertEqual(parts.first ?? [], Array(0..<(parts.first?.count ?? 0)))
                    if count >= 50 && threads > 1 && pieceBytes < 1000 { XCTAssertGreaterThan(parts.count, threads, "\(count), \(threads)") }
                }
            }
        }
    }

    /// Arrays of objects inside the results make `}, {` appear between records' own values:
    /// the cuts there are wrong, the pieces fail their check, and the rest is read serially.
    func testWrongCutsFallBackToTheSerialRead() throws {
        let text = document(300, nestedObjects: true)
        let input = JSONInput(text: text)
        let cuts = ResultsArrayCuts.cuts(input.bytes.bindMemory(to: UInt8.self), pieces: 4, window: 1 << 20)
        XCTAssertFalse(Set(cuts).isSubset(of: try boundaries(input)), "the test needs a wrong cut")
        let serial = try DetectionResultsReader.readAll(text: text)
        for threads in threadCounts {
            let (results, parts) = try readInPieces(input, threads: threads, pieceBytes: 1)
            XCTAssertEqual(results, serial, "\(threads) threads")
            // The re-read part counts from the file's indices.
            XCTAssertEqual(parts.flatMap { $0 }.last, 299)
        }
    }

    func testCommittedFixturesReadAsTheSerialReaderReadsThem() throws {
        for name in ["eval/cocoapi/instances_val2014_fakebbox100_results.json", "eval/cocoapi/instances_val2014_fakesegm100_results.json",
                     "eval/detectron2_mini/detections.json", "eval/faster_coco_eval/dt_ignore_test.json"] {
            let path = SharedDataFiles.path(name)
            let serial = try DetectionResultsReader.readAll(path: path)
            let input = try JSONInput(path: path)
            for threads in threadCounts {
                XCTAssertEqual(try readInPieces(input, threads: threads, pieceBytes: 256).results, serial, "\(name), \(threads) threads")
            }
        }
    }

    /// A bad result in the first, a middle or the last piece, or two bad results in different
    /// pieces: the error is the serial read's (the first in file order, its index and line).
    func testErrorsAreTheSerialReadsWhicheverPieceFails() throws {
        let count = 200
        let bad = [#"{"image_id": 1, "category_id": 2, "score": NaN, "bbox": [1, 2, 3, 4]}"#,
                   #"{"image_id": "1", "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4]}"#,
                   #"{"image_id": 1, "category_id": 2, "score": 0.5, "segmentation": {"counts": "\q"}}"#,
                   #"{"image_id": 1, "category_id": 2, "score": 0.5"#, "7"]
        for badRecords in [[3], [100], [198], [150, 20], [199, 198]] {
            for badText in bad {
                var records = (0..<count).map { record($0) }
                for index in badRecords { records[index] = badText }
                let text = "[" + records.joined(separator: ",\n") + "]"
                let expected = try XCTUnwrap(toolError { try DetectionResultsReader.read(text: text, path: "dt.json") { _ in } })
                XCTAssertNotNil(expected.record)
                let input = JSONInput(text: text, path: "dt.json")
                for threads in threadCounts {
                    let error = try XCTUnwrap(toolError { _ = try self.readInPieces(input, threads: threads, pieceBytes: 1) })
                    XCTAssertEqual(error, expected, "bad \(badRecords), \(threads) threads")
                }
            }
        }
        // Not a list, truncated, trailing bytes.
        for text in ["{}", "[" + record(1) + ", " + record(2), "[" + record(1) + "] x", ""] {
            let expected = try XCTUnwrap(toolError { try DetectionResultsReader.read(text: text) { _ in } }, text)
            let error = try XCTUnwrap(toolError { _ = try self.readInPieces(JSONInput(text: text), threads: 3, pieceBytes: 1) }, text)
            XCTAssertEqual(error, expected, text)
        }
    }

    /// An error `body` throws in a later piece (here for result 102, the only one on image
    /// 102) reaches the caller with the result's index in the file.
    func testErrorsOfTheBodyCarryFileIndices() throws {
        let text = document(120)
        let input = JSONInput(text: text)
        struct Stop: Error, Equatable { let index: Int }
        for threads in threadCounts {
            XCTAssertThrowsError(try DetectionResultsReader.read(input: input, parallelism: Parallelism(threads: threads), minimumPieceBytes: 1,
                                                                 makePart: { _ in 0 }) { _, result, index in
                if result.imageID == ImageID(102) { throw Stop(index: index) }
            }) { XCTAssertEqual($0 as? Stop, Stop(index: 102), "\(threads) threads") }
        }
    }
}
