// What a kernel needs to run besides its tensors: the BLAS entry point and the thread
// count, passed explicitly (no global state), plus a scratch `Workspace`.
import SharedSupport

/// The compute resources a kernel may use. A value; cheap to copy.
public struct Compute: @unchecked Sendable {
    public let gemm: GEMM
    public let parallelism: Parallelism

    public init(gemm: GEMM, parallelism: Parallelism) {
        self.gemm = gemm
        self.parallelism = parallelism
    }

    /// Loads BLAS single-threaded; GEMM spreads its tiles and our loops their chunks over
    /// `threads` (the tools' `--threads`), so one thread pool uses the cores.
    public static func load(threads: Int) throws -> Compute {
        let parallelism = Parallelism(threads: threads)
        let gemm = try GEMM.load(parallelism: parallelism)
        gemm.runtime.setThreads(1)
        return Compute(gemm: gemm, parallelism: parallelism)
    }
}

/// Reusable scratch memory (im2col columns and the like), grown on demand and kept, so a
/// training loop allocates it once. Not thread-safe: one per concurrent caller.
public final class Workspace: @unchecked Sendable {
    private var slots: [TensorStorage] = []

    public init() {}

    /// Current capacity of all slots in floats (for memory reports).
    public var capacity: Int { slots.reduce(0) { $0 + $1.capacity } }

    /// At least `count` floats of scratch in slot `slot` (independent slots let a kernel
    /// hold several scratch buffers at once); contents undefined. Valid until the next
    /// call for the same slot.
    public func scratch(_ count: Int, slot: Int = 0) -> UnsafeMutablePointer<Float> {
        while slots.count <= slot { slots.append(TensorStorage(capacity: 0)) }
        if slots[slot].capacity < count { slots[slot] = TensorStorage(capacity: count) }
        return slots[slot].base
    }
}
