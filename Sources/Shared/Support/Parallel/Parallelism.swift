// Parallel loops over the cores with an explicit thread count (`--threads`), the same
// count that OpenBLAS is given, so our loops and BLAS never oversubscribe the machine.
//
// Rule: do not call multi-threaded BLAS from inside a `parallelFor` body; split the work
// either across BLAS threads or across loop chunks, never both.
import Dispatch

/// How many threads a piece of work may use. A value, passed to whoever runs loops.
public struct Parallelism: Sendable, Equatable {
    public let threads: Int

    public init(threads: Int) {
        precondition(threads >= 1, "thread count must be at least 1")
        self.threads = threads
    }

    /// One thread: for tests and for work nested inside another parallel loop.
    public static let serial = Parallelism(threads: 1)

    /// Runs `body(range)` over contiguous chunks of `0..<count`, at most `threads` at a
    /// time; each index is covered exactly once. `minimumChunk` keeps chunks big enough to
    /// amortise the dispatch.
    public func forEachChunk(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = Swift.min(threads, Swift.max(1, count / Swift.max(1, minimumChunk)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        let base = count / chunks, extra = count % chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * base + Swift.min(chunk, extra)
            let end = start + base + (chunk < extra ? 1 : 0)
            body(start..<end)
        }
    }

    /// Runs `body(i)` for every i in `0..<count`, split into chunks across the threads.
    public func forEach(_ count: Int, minimumChunk: Int = 1, _ body: (Int) -> Void) {
        forEachChunk(count, minimumChunk: minimumChunk) { range in
            for index in range { body(index) }
        }
    }

    /// Runs `body(i)` for every i, handing out indices dynamically (for uneven work items
    /// such as images of different sizes). At most `threads` workers.
    public func forEachDynamic(_ count: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        let workers = Swift.min(threads, count)
        if workers == 1 {
            for index in 0..<count { body(index) }
            return
        }
        let counter = AtomicCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index = counter.next()
                if index >= count { break }
                body(index)
            }
        }
    }
}

extension Parallelism {
    /// [body(0), body(1), ...], the calls spread over the threads as `forEachDynamic` does;
    /// the results in index order whatever the thread count.
    public func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { slots in
            let base = slots.baseAddress
            forEachDynamic(count) { index in base![index] = body(index) }
        }
        return results.map { $0! }
    }
}

/// A lock-protected counter handing out 0, 1, 2, ... to concurrent callers.
final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func next() -> Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        let current = value
        value += 1
        return current
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Number of online cores: the default for `--threads`.
public func availableCores() -> Int {
    // sysconf counts online CPUs; a cgroup or taskset limit is set by --threads.
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}
