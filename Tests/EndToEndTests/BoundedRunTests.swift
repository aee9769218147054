// The bounded runner the hostile-input tests rely on measures what it claims.
import XCTest

final class BoundedRunTests: XCTestCase {
    func testAPlainRunIsMeasured() throws {
        let run = try ToolRunner.runBounded("detect-eval", ["--version"])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertNil(run.signal)
        XCTAssertTrue(run.stdout.hasPrefix("detect-eval "), run.summary)
        XCTAssertGreaterThan(run.peakResidentBytes, 1 << 20, "a Swift tool needs more than 1 MiB")
        XCTAssertLessThan(run.peakResidentBytes, 1 << 30)
        XCTAssertFalse(run.timedOut)
    }

    func testABadCommandLineIsACleanRefusal() throws {
        let run = try ToolRunner.runBounded("detect-eval", ["--gt", "/nonexistent/gt.json", "--dt", "/nonexistent/dt.json", "--no-such-flag"])
        ToolRunner.assertCleanRefusal(run, status: 64, mentions: ["no-such-flag"], "unknown flag")
    }
}
