// Error texts, progress lines and the CPU-to-kernel mapping.
import XCTest
@testable import SharedSupport

final class ConsoleTests: XCTestCase {
    func testToolErrorNamesFileRecordAndHint() {
        let error = ToolError("score is NaN", file: "dt.json", record: "result 3", hint: "filter non-finite scores")
        XCTAssertEqual(error.description, "dt.json: result 3: score is NaN\n  hint: filter non-finite scores")
        XCTAssertEqual(error.exitCode, .dataError)
        XCTAssertEqual(ToolError.usage("bad").exitCode.rawValue, 64)
        XCTAssertEqual(ToolError("x").inFile("a.json").file, "a.json")
        XCTAssertEqual(ToolError("x", file: "b").inFile("a.json").file, "b")
    }

    func testPlainProgressLineHasCountPercentRateAndETA() {
        let bar = ProgressBar(label: "convert", total: 200, unit: "img", logger: Logger(tool: "t", verbosity: .quiet),
                              interactive: false)
        bar.advance(by: 50, status: "loss 1.5")
        let line = bar.render(now: monotonicSeconds() + 10)
        XCTAssert(line.hasPrefix("convert 50/200 (25%)"), line)
        XCTAssert(line.contains("img/s"), line)
        XCTAssert(line.contains("ETA"), line)
        XCTAssert(line.hasSuffix("loss 1.5"), line)
    }

    func testDurationAndRateFormatting() {
        XCTAssertEqual(ProgressBar.formatDuration(62), "1:02")
        XCTAssertEqual(ProgressBar.formatDuration(3723), "1:02:03")
        XCTAssertEqual(ProgressBar.formatDuration(.infinity), "--:--")
        XCTAssertEqual(ProgressBar.formatRate(250, unit: "img"), "250 img/s")
        XCTAssertEqual(ProgressBar.formatRate(0.5, unit: "it"), "2.0 s/it")
    }

    func testKernelChoiceFollowsCPUFeatures() {
        let avx512 = CPUFeatures(flags: ["avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"], modelName: "x")
        XCTAssertEqual(avx512.bestOpenBLASCoreType, "SkylakeX")
        XCTAssertEqual(CPUFeatures(flags: ["avx2", "fma"], modelName: "x").bestOpenBLASCoreType, "Haswell")
        XCTAssertNil(CPUFeatures(flags: ["sse3"], modelName: "x").bestOpenBLASCoreType)
        XCTAssertEqual(avx512.runnableOpenBLASCoreTypes, ["SkylakeX", "Haswell", "Zen"])
        let cooperlake = CPUFeatures(flags: avx512.flags.union(["avx512_bf16", "avx", "pni"]), modelName: "x")
        XCTAssertEqual(cooperlake.runnableOpenBLASCoreTypes, ["SkylakeX", "Cooperlake", "Haswell", "Zen", "Sandybridge", "Prescott"])
        XCTAssertEqual(CPUFeatures(flags: ["avx2", "fma", "avx", "pni"], modelName: "zen3").runnableOpenBLASCoreTypes,
                       ["Haswell", "Zen", "Sandybridge", "Prescott"])
        XCTAssertEqual(CPUFeatures(flags: ["pni"], modelName: "old").runnableOpenBLASCoreTypes, ["Prescott"])
        // AVX-512F alone (Knights Landing) lacks BW/DQ/VL: the SkylakeX kernels need them.
        XCTAssertEqual(CPUFeatures(flags: ["avx2", "fma", "avx512f"], modelName: "x").bestOpenBLASCoreType, "Haswell")
    }
}
