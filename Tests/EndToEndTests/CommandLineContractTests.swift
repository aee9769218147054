// The command-line contract every tool keeps (docs/design.md §Command-line conventions):
// --help on stdout with an example and exit 0, --version naming the BLAS kernel, bad flags
// exit 64 with a message on stderr that names the tool.
import Foundation
import XCTest

final class CommandLineContractTests: XCTestCase {
    static let tools = ["lvis-prep", "detect-train", "loce-finetune", "detect-eval"]

    func testHelpGoesToStdoutWithAnExampleAndExitsZero() throws {
        for tool in Self.tools {
            let run = try ToolRunner.run(tool, ["--help"])
            XCTAssertEqual(run.status, 0, "\(tool): \(run.stderr)")
            XCTAssert(run.stdout.contains("USAGE:"), "\(tool) help: \(run.stdout)")
            XCTAssert(run.stdout.contains("Example"), "\(tool) help lacks an example")
            XCTAssert(run.stdout.contains("--version"), "\(tool) help lacks --version")
            XCTAssertEqual(run.stderr, "", "\(tool) wrote to stderr on --help")
        }
    }

    func testVersionNamesToolAndActiveKernel() throws {
        let hasAVX512 = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))
            .map { text in ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy { text.contains($0) } } ?? false
        for tool in Self.tools {
            let run = try ToolRunner.run(tool, ["--version"], environment: ["OPENBLAS_CORETYPE": nil])
            XCTAssertEqual(run.status, 0, "\(tool): \(run.stderr)")
            XCTAssert(run.stdout.hasPrefix("\(tool) "), run.stdout)
            XCTAssert(run.stdout.contains("BLAS: OpenBLAS"), run.stdout)
            if hasAVX512 {
                XCTAssert(run.stdout.contains("kernel SkylakeX (chosen for this CPU)"), run.stdout)
            }
        }
    }

    func testUserCoreTypeIsHonoured() throws {
        let run = try ToolRunner.run("detect-train", ["--version"], environment: ["OPENBLAS_CORETYPE": "Haswell"])
        XCTAssertEqual(run.status, 0)
        XCTAssert(run.stdout.contains("kernel Haswell (from OPENBLAS_CORETYPE=Haswell)"), run.stdout)
    }

    func testUnknownFlagExitsWithUsageCode() throws {
        // Otherwise-valid arguments, so the unknown flag is the first thing wrong.
        let validArguments = ["detect-eval": ["--gt", "/nonexistent/gt.json", "--dt", "/nonexistent/dt.json"]]
        for tool in Self.tools {
            let run = try ToolRunner.run(tool, validArguments[tool, default: []] + ["--no-such-flag"])
            XCTAssertEqual(run.status, 64, "\(tool)")
            XCTAssertEqual(run.stdout, "", "\(tool) wrote to stdout on a usage error")
            XCTAssert(run.stderr.hasPrefix("\(tool): error:"), "\(tool) stderr: \(run.stderr)")
            XCTAssert(run.stderr.contains("no-such-flag"), run.stderr)
        }
    }
}
