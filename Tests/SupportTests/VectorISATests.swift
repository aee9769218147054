// The vector code path switch: the CPU check agrees with the kernel's feature flags, the
// process takes the best path unless LOCE_ISA asks for a lower one, and a value that is
// unknown or above what the CPU runs is a usage error (exit 64) naming LOCE_ISA and the
// values that would work.
import XCTest
@testable import SharedSupport

final class VectorISATests: XCTestCase {
    /// CPUID/XGETBV (`ck_cpu_has_avx2`, `ck_cpu_has_avx512f`) against /proc/cpuinfo, where
    /// Linux lists AVX flags only when it saves their registers.
    func testHostBestAgreesWithTheKernelsFeatureFlags() {
        let cpu = CPUFeatures.current()
        XCTAssertFalse(cpu.flags.isEmpty, "no /proc/cpuinfo flags to compare with")
        let avx2 = cpu.flags.contains("avx2") && cpu.flags.contains("fma")
        let expected: VectorISA = avx2 ? (cpu.flags.contains("avx512f") ? .avx512 : .avx2) : .baseline
        XCTAssertEqual(VectorISA.hostBest, expected, "flags: \(cpu.flags.filter { $0.hasPrefix("avx") || $0 == "fma" })")
        XCTAssertEqual(VectorISA.hostSupported, VectorISA.allCases.filter { $0 <= expected })
        XCTAssertEqual(VectorISA.hostSupported.first, .baseline)
    }

    /// The process runs the path its LOCE_ISA asks for, else the best one (on an AVX2 machine:
    /// avx2; on an AVX-512 one: avx512).
    func testProcessTakesTheBestPathUnlessLOCEISAAsks() throws {
        let requested = ProcessInfoLite.environment("LOCE_ISA")
        let choice = try VectorISA.processChoice.get()
        XCTAssertEqual(choice.best, VectorISA.hostBest)
        XCTAssertEqual(VectorISA.active, choice.isa)
        if let requested, !requested.isEmpty {
            XCTAssertEqual(choice.isa.name, requested.lowercased())
            XCTAssertTrue(choice.fromEnvironment)
        } else {
            XCTAssertEqual(choice.isa, VectorISA.hostBest)
            XCTAssertFalse(choice.fromEnvironment)
            XCTAssertEqual(choice.description, "\(VectorISA.hostBest.name) (best this CPU runs)")
        }
    }

    func testChoiceFromLOCEISA() throws {
        XCTAssertEqual(try VectorISA.choose(requested: nil, best: .avx2), .init(isa: .avx2, best: .avx2, fromEnvironment: false))
        XCTAssertEqual(try VectorISA.choose(requested: "", best: .avx512), .init(isa: .avx512, best: .avx512, fromEnvironment: false))
        for best in VectorISA.allCases {
            for isa in VectorISA.allCases where isa <= best {
                let choice = try VectorISA.choose(requested: isa.name, best: best)
                XCTAssertEqual(choice, .init(isa: isa, best: best, fromEnvironment: true))
                XCTAssertEqual(try VectorISA.choose(requested: isa.name.uppercased(), best: best).isa, isa)
            }
        }
        let lowered = try VectorISA.choose(requested: "baseline", best: .avx2)
        XCTAssertEqual(lowered.description, "baseline (from LOCE_ISA=baseline; this CPU runs up to avx2)")
    }

    func testAPathAboveTheCPUIsRefusedAsAUsageError() {
        XCTAssertThrowsError(try VectorISA.choose(requested: "avx512", best: .avx2)) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.exitCode, .usage)
            XCTAssertEqual(toolError?.message,
                           "LOCE_ISA=avx512 asks for a code path this CPU (or OS) does not run; it runs up to avx2")
            XCTAssertEqual(toolError?.hint, "unset LOCE_ISA, or set it to one of: baseline, avx2")
        }
        XCTAssertThrowsError(try VectorISA.choose(requested: "avx2", best: .baseline)) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .usage)
            XCTAssertEqual((error as? ToolError)?.hint, "unset LOCE_ISA, or set it to one of: baseline")
        }
    }

    func testAnUnknownPathIsRefusedAsAUsageError() {
        for value in ["sse4", "avx-512", "AVX 2", "native", " avx2"] {
            XCTAssertThrowsError(try VectorISA.choose(requested: value, best: .avx512), value) { error in
                let toolError = error as? ToolError
                XCTAssertEqual(toolError?.exitCode, .usage, value)
                XCTAssertEqual(toolError?.message, "LOCE_ISA=\(value) is not a code path (known: baseline, avx2, avx512)")
                XCTAssertEqual(toolError?.hint, "unset LOCE_ISA to use the best path this CPU runs (avx512), "
                                                + "or set it to one of: baseline, avx2, avx512")
            }
        }
    }
}
