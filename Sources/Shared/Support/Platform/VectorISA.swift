// The vector instruction set the hand-written kernels (Sources/CKernels) use, chosen once
// per process: the best this CPU and OS run, unless the environment variable LOCE_ISA asks
// for a lower one. Every path gives the same bits, so the choice changes speed only.
import CKernels

public enum VectorISA: Int, Comparable, CaseIterable, Sendable, CustomStringConvertible {
    /// The Swift code itself, compiled for baseline x86-64 (SSE2); runs everywhere.
    case baseline = 0
    /// AVX2 kernels (`ck_*_avx2`); needs AVX2 and FMA, and the OS saving YMM registers.
    case avx2
    /// AVX-512 kernels (`ck_*_avx512`); needs AVX-512F (and everything avx2 needs).
    case avx512

    /// The environment variable that asks for a lower path.
    public static let environmentVariable = "LOCE_ISA"

    /// The value LOCE_ISA takes for this path.
    public var name: String {
        switch self {
        case .baseline: return "baseline"
        case .avx2: return "avx2"
        case .avx512: return "avx512"
        }
    }

    public var description: String { name }

    public static func < (lhs: VectorISA, rhs: VectorISA) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The best path this CPU and OS run (checked with CPUID and XGETBV).
    public static let hostBest: VectorISA = {
        guard ck_cpu_has_avx2() else { return .baseline }
        return ck_cpu_has_avx512f() ? .avx512 : .avx2
    }()

    /// Every path this host runs, lowest first (what the kernel parity tests exercise).
    public static var hostSupported: [VectorISA] { allCases.filter { $0 <= hostBest } }

    /// The active path and how it was chosen.
    public struct Choice: Sendable, Equatable, CustomStringConvertible {
        public let isa: VectorISA
        /// The best path the host runs.
        public let best: VectorISA
        /// True when LOCE_ISA chose it, false when it is the host's best.
        public let fromEnvironment: Bool

        /// "avx2 (best this CPU runs)" or "baseline (from LOCE_ISA=baseline; this CPU runs avx2)".
        public var description: String {
            fromEnvironment ? "\(isa) (from \(VectorISA.environmentVariable)=\(isa); this CPU runs up to \(best))"
                            : "\(isa) (best this CPU runs)"
        }
    }

    /// The path for a LOCE_ISA value (nil or empty: unset) on a host whose best path is
    /// `best`. An unknown value, or one above `best`, is a usage error: the tools refuse it
    /// at start (exit 64) instead of dying on an illegal instruction later.
    public static func choose(requested: String?, best: VectorISA) throws -> Choice {
        guard let requested, !requested.isEmpty else { return Choice(isa: best, best: best, fromEnvironment: false) }
        let allowed = allCases.filter { $0 <= best }.map(\.name).joined(separator: ", ")
        guard let isa = allCases.first(where: { $0.name == requested.lowercased() }) else {
            throw ToolError.usage("\(environmentVariable)=\(requested) is not a code path (known: baseline, avx2, avx512)",
                                  hint: "unset \(environmentVariable) to use the best path this CPU runs (\(best)), "
                                      + "or set it to one of: \(allowed)")
        }
        guard isa <= best else {
            throw ToolError.usage("\(environmentVariable)=\(requested) asks for a code path this CPU (or OS) does not run; "
                                      + "it runs up to \(best)",
                                  hint: "unset \(environmentVariable), or set it to one of: \(allowed)")
        }
        return Choice(isa: isa, best: best, fromEnvironment: true)
    }

    /// This process's choice from its LOCE_ISA, made once; a refusal is kept for the tools
    /// to report at start (`ToolMain`).
    public static let processChoice: Result<Choice, ToolError> = {
        do {
            return .success(try choose(requested: ProcessInfoLite.environment(environmentVariable), best: hostBest))
        } catch let error as ToolError {
            return .failure(error)
        } catch {
            return .failure(ToolError.usage("\(environmentVariable): \(error)"))
        }
    }()

    /// The path the kernels take in this process. Where LOCE_ISA was refused (a tool has
    /// already exited 64 then; a library user may not have checked), the safe baseline.
    public static let active: VectorISA = (try? processChoice.get())?.isa ?? .baseline
}
