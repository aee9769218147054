// Loads OpenBLAS at run time with the fastest kernel for this CPU.
//
// OpenBLAS (DYNAMIC_ARCH builds, as Debian's) chooses its kernels in a constructor that
// runs when the library is loaded; a linked library loads before `main`, too early for a
// tool to steer it. So OpenBLAS is not linked: it is opened here with dlopen() after
// OPENBLAS_CORETYPE has been set from the CPU's features, unless the user set it.
// Everything else reaches BLAS through the function pointers held here.
#if canImport(Glibc)
import Glibc
#endif

/// How the active OpenBLAS kernel was chosen.
public enum BLASKernelChoice: String, Sendable {
    /// The user's OPENBLAS_CORETYPE was honoured.
    case user
    /// Chosen by us from the CPU's feature flags.
    case cpuFeatures = "cpu-features"
    /// Left to OpenBLAS's own detection (no better choice known).
    case library
}

/// cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
public typealias CBLASSgemm = @convention(c) (
    Int32, Int32, Int32, Int32, Int32, Int32, Float,
    UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float,
    UnsafeMutablePointer<Float>?, Int32) -> Void

/// cblas_sgemv(order, trans, M, N, alpha, A, lda, X, incX, beta, Y, incY)
public typealias CBLASSgemv = @convention(c) (
    Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
    UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void

/// The loaded OpenBLAS library. There is exactly one per process (the library's kernel
/// and thread pool are process-wide), hence the shared instance.
public final class BLASRuntime: @unchecked Sendable {
    // CBLAS enum values (cblas.h).
    public static let rowMajor: Int32 = 101
    public static let noTranspose: Int32 = 111
    public static let transpose: Int32 = 112

    public let sgemm: CBLASSgemm
    public let sgemv: CBLASSgemv
    public let libraryPath: String
    public let choice: BLASKernelChoice
    /// The core type requested through OPENBLAS_CORETYPE, if any.
    public let requestedCoreType: String?
    private let handle: UnsafeMutableRawPointer
    private let setNumThreads: (@convention(c) (Int32) -> Void)?
    private let getNumThreads: (@convention(c) () -> Int32)?
    private let getCoreName: (@convention(c) () -> UnsafeMutablePointer<CChar>?)?
    private let getConfig: (@convention(c) () -> UnsafeMutablePointer<CChar>?)?

    /// The process's OpenBLAS, loaded on first use. Fails with exit code 69 and an
    /// install hint when the library is missing.
    public static var shared: BLASRuntime {
        get throws { try loadResult.get() }
    }

    private static let loadResult: Result<BLASRuntime, ToolError> = Result { try BLASRuntime() }
        .mapError { $0 as? ToolError ?? ToolError("\($0)", exitCode: .unavailable) }

    private init() throws {
        let environment = ProcessInfoLite.environment("OPENBLAS_CORETYPE")
        if let userChoice = environment, !userChoice.isEmpty {
            choice = .user
            requestedCoreType = userChoice
        } else if let best = CPUFeatures.current().bestOpenBLASCoreType {
            setenv("OPENBLAS_CORETYPE", best, 1)
            choice = .cpuFeatures
            requestedCoreType = best
        } else {
            choice = .library
            requestedCoreType = nil
        }
        // OpenBLAS starts its thread pool at load time; start no more threads than cores.
        if ProcessInfoLite.environment("OPENBLAS_NUM_THREADS") == nil {
            setenv("OPENBLAS_NUM_THREADS", String(availableCores()), 1)
        }

        let candidates = ["libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
                          "/usr/lib/aarch64-linux-gnu/libopenblas.so.0", "libopenblas.dylib"]
        var opened: (UnsafeMutableRawPointer, String)?
        var lastError = "not found"
        for name in candidates {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) {
                opened = (handle, name)
                break
            }
            if let message = dlerror() { lastError = String(cString: message) }
        }
        guard let (handle, path) = opened else {
            throw ToolError("cannot load OpenBLAS (\(lastError))",
                            hint: "install it with `scripts/install-deps.sh` (Debian package libopenblas-dev)",
                            exitCode: .unavailable)
        }
        self.handle = handle
        self.libraryPath = path

        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            guard let pointer = dlsym(handle, name) else { return nil }
            return unsafeBitCast(pointer, to: type)
        }
        guard let sgemm = symbol("cblas_sgemm", as: CBLASSgemm.self),
              let sgemv = symbol("cblas_sgemv", as: CBLASSgemv.self) else {
            throw ToolError("\(path) has no cblas_sgemm/cblas_sgemv", hint: "install Debian's libopenblas-dev",
                            exitCode: .unavailable)
        }
        self.sgemm = sgemm
        self.sgemv = sgemv
        setNumThreads = symbol("openblas_set_num_threads", as: (@convention(c) (Int32) -> Void).self)
        getNumThreads = symbol("openblas_get_num_threads", as: (@convention(c) () -> Int32).self)
        getCoreName = symbol("openblas_get_corename", as: (@convention(c) () -> UnsafeMutablePointer<CChar>?).self)
        getConfig = symbol("openblas_get_config", as: (@convention(c) () -> UnsafeMutablePointer<CChar>?).self)
    }

    /// Looks up another BLAS symbol by name (for kernels beyond sgemm/sgemv).
    public func symbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: type)
    }

    /// The kernel family OpenBLAS is running ("SkylakeX", "Haswell", "Prescott", ...).
    public var coreName: String {
        guard let getCoreName, let name = getCoreName() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's build description ("OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY ...").
    public var buildConfig: String {
        guard let getConfig, let text = getConfig() else { return "OpenBLAS" }
        return String(cString: text).trimmingCharacters(in: " ")
    }

    public var threads: Int { Int(getNumThreads?() ?? 1) }

    /// Sets the number of threads BLAS calls use (the tools' `--threads`).
    public func setThreads(_ count: Int) {
        setNumThreads?(Int32(max(1, count)))
    }

    /// One line for `--version` and start-up logs.
    public var summary: String {
        let how: String
        switch choice {
        case .user: how = "from OPENBLAS_CORETYPE=\(requestedCoreType ?? "")"
        case .cpuFeatures: how = "chosen for this CPU"
        case .library: how = "OpenBLAS's own detection"
        }
        return "\(buildConfig); kernel \(coreName) (\(how)); single-threaded calls, tiled over --threads by GEMM"
    }
}

/// getenv without Foundation.
public enum ProcessInfoLite {
    public static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}
