// What the CPU can do, read from /proc/cpuinfo, and the OpenBLAS kernel family that
// fits it best.
#if canImport(Glibc)
import Glibc
#endif

public struct CPUFeatures: Sendable, Equatable {
    /// The lower-case feature flags the kernel reports ("avx2", "avx512f", ...).
    public let flags: Set<String>
    public let modelName: String

    public init(flags: Set<String>, modelName: String) {
        self.flags = flags
        self.modelName = modelName
    }

    /// Reads the first processor's flags from /proc/cpuinfo (empty when unreadable,
    /// e.g. on another OS).
    public static func current() -> CPUFeatures {
        guard let text = try? readSmallTextFile("/proc/cpuinfo") else {
            return CPUFeatures(flags: [], modelName: "unknown")
        }
        var flags = Set<String>()
        var model = "unknown"
        for line in text.split(separator: "\n") {
            if flags.isEmpty, line.hasPrefix("flags") || line.hasPrefix("Features") {
                if let colon = line.firstIndex(of: ":") {
                    flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
                }
            } else if model == "unknown", line.hasPrefix("model name"), let colon = line.firstIndex(of: ":") {
                model = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            }
            if !flags.isEmpty && model != "unknown" { break }
        }
        return CPUFeatures(flags: flags, modelName: model)
    }

    public var hasAVX512: Bool {
        ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(flags.contains)
    }

    public var hasAVX2: Bool { flags.contains("avx2") && flags.contains("fma") }

    /// The OpenBLAS core type with the fastest float32 GEMM this CPU runs, or nil when
    /// OpenBLAS's own detection should decide (non-x86, or no AVX2).
    ///
    /// Debian's OpenBLAS 0.3.21 does not recognise recent Xeons and falls back to its
    /// generic "Prescott" kernels (13x slower sgemm; docs/benchmarks.md §bench-gemm). The
    /// SkylakeX kernels run on every AVX-512 (F/BW/DQ/VL/CD) CPU, Intel or AMD; Haswell's on
    /// every AVX2+FMA CPU.
    public var bestOpenBLASCoreType: String? {
        if hasAVX512 { return "SkylakeX" }
        if hasAVX2 { return "Haswell" }
        return nil
    }

    /// The x86-64 OpenBLAS core types with distinct float32 GEMM code that this CPU can
    /// execute, fastest family first: the kernels `OPENBLAS_CORETYPE` may name here, and
    /// the ones the determinism tests and `bench-gemm` run under. (Forcing a kernel the CPU
    /// cannot execute ends the process with an illegal instruction.) Whether the installed
    /// OpenBLAS knows a name is seen only once it is loaded: it falls back to its own choice
    /// for unknown names (`BLASRuntime.coreName` then differs).
    public var runnableOpenBLASCoreTypes: [String] {
        var kernels: [String] = []
        if hasAVX512 {
            kernels.append("SkylakeX")
            if flags.contains("avx512_bf16") { kernels.append("Cooperlake") }
        }
        if hasAVX2 { kernels += ["Haswell", "Zen"] }
        if flags.contains("avx") { kernels.append("Sandybridge") }
        if flags.contains("pni") || flags.contains("sse3") { kernels.append("Prescott") }  // /proc/cpuinfo calls SSE3 "pni"
        return kernels
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}

/// Reads a small text file (such as /proc/cpuinfo, whose size stat reports as 0).
public func readSmallTextFile(_ path: String) throws -> String {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        throw ToolError.io("cannot open: \(String(cString: strerror(errno)))", file: path)
    }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw ToolError.io("cannot read: \(String(cString: strerror(errno)))", file: path)
        }
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}
