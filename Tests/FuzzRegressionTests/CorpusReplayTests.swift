// Replays the committed fuzz corpus (fuzz/corpus/TARGET/) and every fixed crash reproducer
// (fuzz/crashes/TARGET/) through the fuzz targets, without sanitizers: a reproducer whose
// bug comes back traps or fails here. Reproducers of bugs not fixed yet wait in fuzz/open/.
import Foundation
import FuzzTargets
import XCTest

final class CorpusReplayTests: XCTestCase {
    /// The repository's fuzz/ folder (this file is Tests/FuzzRegressionTests/…).
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fuzz").path

    /// The files of fuzz/KIND/TARGET (none when the folder does not exist), sorted.
    static func inputs(_ kind: String, _ target: String) -> [String] {
        let folder = fuzzFolder + "/" + kind + "/" + target
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder + "/" + $0 }
    }

    /// Replays corpus and crashes of `name`; the corpus must exist and reach past the first check.
    func replay(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let target = try XCTUnwrap(FuzzTarget.make(named: name), "no target \(name)", file: file, line: line)
        let corpus = Self.inputs("corpus", name), crashes = Self.inputs("crashes", name)
        XCTAssertFalse(corpus.isEmpty, "fuzz/corpus/\(name) is empty: run `make fuzz-seeds`", file: file, line: line)
        var accepted = 0
        for path in corpus + crashes {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            XCTAssertLessThanOrEqual(bytes.count, max(target.maxLength, 1 << 16), "\(path) is larger than a seed should be", file: file, line: line)
            switch target.run(bytes) {
            case .accepted: accepted += path.contains("/corpus/") ? 1 : 0
            case .refused: break
            case let .finding(message): XCTFail("\(path): \(message)", file: file, line: line)
            }
        }
        XCTAssertGreaterThan(accepted, 0, "no input of fuzz/corpus/\(name) is accepted (stale seeds? run `make fuzz-seeds`)",
                             file: file, line: line)
    }

    func testJSONCorpus() throws { try replay("json") }
    func testDatasetCorpus() throws { try replay("dataset") }
    func testResultsCorpus() throws { try replay("results") }
    func testCompressedRLECorpus() throws { try replay("rle-string") }
    func testUncompressedRLECorpus() throws { try replay("rle-counts") }
    func testPolygonRLECorpus() throws { try replay("rle-polygon") }
    func testShardCorpus() throws { try replay("shard") }
    func testShardRecordCorpus() throws { try replay("shard-record") }
    func testSafetensorsCorpus() throws { try replay("safetensors") }
    func testTorchCorpus() throws { try replay("torch") }
    func testImageCorpus() throws { try replay("image") }
    func testConfigCorpus() throws { try replay("config") }

    /// Every target has a test above, and every folder under fuzz/ names a target.
    func testEveryTargetIsReplayedAndEveryFolderIsATarget() throws {
        let names = Set(FuzzTarget.allNames)
        let tested = Set(["json", "dataset", "results", "rle-string", "rle-counts", "rle-polygon", "shard", "shard-record",
                          "safetensors", "torch", "image", "config"])
        XCTAssertEqual(names, tested, "add a replay test for each new target")
        for kind in ["corpus", "crashes", "open"] {
            let folders = (try? FileManager.default.contentsOfDirectory(atPath: Self.fuzzFolder + "/" + kind)) ?? []
            for folder in folders where !folder.hasPrefix(".") && folder != "README.md" {
                XCTAssertTrue(names.contains(folder), "fuzz/\(kind)/\(folder) is not a fuzz target")
            }
        }
    }
}
