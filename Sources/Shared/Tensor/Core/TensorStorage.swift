// The memory behind tensors: one 64-byte-aligned, zero-initialised float32 allocation,
// freed when the last tensor viewing it goes away. Many tensors may view one storage
// (the parameter store, activation arenas), each at its own offset.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An owned float32 allocation. Reference type: tensors that view it share it.
public final class TensorStorage: @unchecked Sendable {
    /// First element; valid for `capacity` elements.
    @usableFromInline let start: UnsafeMutablePointer<Float>
    /// Number of floats allocated.
    public let capacity: Int

    /// Allocates `capacity` floats, aligned to 64 bytes (one AVX-512 vector), set to zero.
    public init(capacity: Int) {
        precondition(capacity >= 0, "negative storage capacity")
        var raw: UnsafeMutableRawPointer?
        let bytes = Swift.max(1, capacity) * MemoryLayout<Float>.stride
        let status = posix_memalign(&raw, 64, bytes)
        precondition(status == 0 && raw != nil, "cannot allocate \(bytes) bytes for a tensor")
        memset(raw!, 0, bytes)
        start = raw!.bindMemory(to: Float.self, capacity: Swift.max(1, capacity))
        self.capacity = capacity
    }

    deinit { free(start) }

    /// First element; kernel code only (see `Tensor.data`).
    @_spi(Kernels) @inlinable public var base: UnsafeMutablePointer<Float> { start }

    /// Calls `body` with the whole allocation to read; the buffer is valid only inside `body`.
    @inlinable
    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: start, count: capacity))
    }

    /// The whole allocation as a buffer. Kernel code only.
    @_spi(Kernels) @inlinable public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: start, count: capacity)
    }
}
