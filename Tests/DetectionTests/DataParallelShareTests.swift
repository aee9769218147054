// How a batch is split over ranks (contiguous equal parts; refused when the ranks do not
// divide it or the gradient sum is not exact), and the per-image sampling generator (a
// function of seed, iteration and position only).
import XCTest
import SharedSupport
@testable import SharedDetection

final class DataParallelShareTests: XCTestCase {
    func testOneProcessTakesTheWholeBatch() throws {
        for sum in GradientSum.allCases {
            let share = try DataParallelShare(processes: .single, batchSize: 6, gradientSum: sum)
            XCTAssertEqual(share.positions, 0..<6)
        }
    }

    func testImageSamplingDependsOnItsThreeNumbers() {
        var a = FitLoop.imageSampling(seed: 1, iteration: 5, position: 2)
        var again = FitLoop.imageSampling(seed: 1, iteration: 5, position: 2)
        XCTAssertEqual(a.next(), again.next())
        let draws = [(1, 5, 3), (1, 6, 2), (2, 5, 2), (1, 2, 5)].map { seed, iteration, position -> UInt64 in
            var other = FitLoop.imageSampling(seed: UInt64(seed), iteration: iteration, position: position)
            return other.next()
        }
        var first = FitLoop.imageSampling(seed: 1, iteration: 5, position: 2)
        XCTAssertEqual(Set(draws + [first.next()]).count, 5, "each (seed, iteration, position) draws its own numbers")
    }

    func testConfigDecodesTheGradientSum() throws {
        let data = Data(#"{"base": "r50-fpn.json", "solver": {"gradientSum": "exact"}}"#.utf8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gradient-sum-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("pipelines/configs/r50-fpn.json")
        try FileManager.default.copyItem(at: source, to: directory.appendingPathComponent("r50-fpn.json"))
        let path = directory.appendingPathComponent("exact.json").path
        try data.write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try DetectorConfig.load(path: path).solver.resolvedGradientSum, .exact)
        XCTAssertEqual(try DetectorConfig.load(path: source.path).solver.resolvedGradientSum, .batch, "absent: batch")
        try Data(#"{"base": "r50-fpn.json", "solver": {"gradientSum": "ring"}}"#.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try DetectorConfig.load(path: path))
    }
}
