// The processes of one job (MPI_COMM_WORLD) and the few collectives the tools need, each
// with a result that does not depend on how MPI schedules its messages: gathers return the
// ranks' pieces in rank order, and sums are of integers (exact, so any order gives the same
// bits). One process, started without a launcher, is a group of size 1 whose collectives
// return their input; MPI is then never loaded.
//
// A launcher (mpirun / mpiexec / srun with PMI or PMIx) is recognised by its environment
// (`LaunchEnvironment`); MPI is initialised once per process, on first use, and finished by
// `ToolMain` when the tool exits (`finish(exitCode:)`).
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public final class ProcessGroup: @unchecked Sendable {
    /// This process's rank, 0..<size.
    public let rank: Int
    public let size: Int
    private let library: MPILibrary?

    private init(rank: Int, size: Int, library: MPILibrary?) {
        self.rank = rank; self.size = size; self.library = library
    }

    /// One process on its own (no launcher).
    public static let single = ProcessGroup(rank: 0, size: 1, library: nil)

    /// The job this process belongs to: MPI_COMM_WORLD when a launcher started it (MPI is
    /// initialised on the first call), else `single`. Throws (exit 69) when a launcher
    /// started it and no MPI library loads.
    public static var current: ProcessGroup {
        get throws { try launched.get() }
    }

    /// The launched group if MPI was initialised, without initialising it (for `finish`).
    private static let initialised = Mutex<ProcessGroup?>(nil)

    /// The job this process joined (MPI initialised), or nil; never initialises MPI.
    public static var joined: ProcessGroup? { initialised.withLock { $0 } }

    /// Whether this process is a rank other than 0 of a job that agreed to stop (its stop
    /// message would repeat rank 0's).
    public static var isFollowerOfAgreedStop: Bool {
        guard let group = joined, !group.isRoot else { return false }
        return agreedStop.withLock { $0 }
    }

    private static let launched: Result<ProcessGroup, ToolError> = Result {
        guard let launch = LaunchEnvironment.detect() else { return ProcessGroup.single }
        let library = try MPILibrary(preferOpenMPI: launch.launcher == .openMPI)
        var provided: Int32 = 0
        // MPI_THREAD_FUNNELED (1 in every mpi.h): only the main thread calls MPI.
        guard library.initThread(nil, nil, 1, &provided) == 0 else {
            throw ToolError("MPI_Init_thread failed (\(library.path))", exitCode: .unavailable)
        }
        var rank: Int32 = 0, size: Int32 = 0
        _ = library.commRank(library.commWorld, &rank)
        _ = library.commSize(library.commWorld, &size)
        let group = ProcessGroup(rank: Int(rank), size: Int(size), library: library)
        initialised.withLock { $0 = group }
        return group
    }.mapError { $0 as? ToolError ?? ToolError("\($0)", exitCode: .unavailable) }

    public var isRoot: Bool { rank == 0 }
    public var isDistributed: Bool { size > 1 }

    /// "MPI (Open MPI v4.1.4, libmpi.so.40): rank 0 of 2" or "single process".
    public var summary: String {
        guard let library else { return "single process" }
        return "MPI (\(library.versionLine), \(library.path)): rank \(rank) of \(size)"
    }

    /// Ends MPI for a tool about to exit with `exitCode`: MPI_Finalize after the work ended
    /// on every rank (0, 2 = done with records skipped) or a stop every rank agreed on (130,
    /// 143 after `markAgreedStop`), MPI_Abort otherwise — which ends the other ranks instead
    /// of leaving them waiting in a collective. Nothing without MPI.
    public static func finish(exitCode: Int32) {
        guard let group = initialised.withLock({ $0 }), let library = group.library else { return }
        if exitCode == 0 || exitCode == 2 || ((exitCode == 130 || exitCode == 143) && agreedStop.withLock({ $0 })) {
            _ = library.finalize()
        } else {
            _ = library.abort(library.commWorld, exitCode)
        }
    }

    // MARK: - Collectives (every rank calls each one, in the same order)

    /// Every rank's `bytes` (the same count on every rank), in rank order.
    public func allgather(_ bytes: [UInt8]) -> [[UInt8]] {
        guard let library, size > 1 else { return [bytes] }
        var gathered = [UInt8](repeating: 0, count: bytes.count * size)
        bytes.withUnsafeBytes { send in
            gathered.withUnsafeMutableBytes { receive in
                check(library.allgather(send.baseAddress, Int32(bytes.count), library.byte, receive.baseAddress,
                                        Int32(bytes.count), library.byte, library.commWorld), "MPI_Allgather")
            }
        }
        return (0..<size).map { Array(gathered[($0 * bytes.count)..<(($0 + 1) * bytes.count)]) }
    }

    /// Every rank's `bytes` (any count), in rank order.
    public func allgatherVariable(_ bytes: [UInt8]) -> [[UInt8]] {
        guard size > 1 else { return [bytes] }
        let counts = allgather(Self.bytes(of: Int64(bytes.count))).map { Int(Self.int64(from: $0)) }
        let width = counts.max() ?? 0
        let padded = bytes + [UInt8](repeating: 0, count: width - bytes.count)
        return zip(allgather(padded), counts).map { Array($0.0.prefix($0.1)) }
    }

    /// Every rank's `bytes` (any count) on rank 0, in rank order; nil on the other ranks.
    /// Sent in rounds of at most `round` bytes per rank, so no MPI count overflows Int32.
    public func gatherToRoot(_ bytes: [UInt8], round: Int = 1 << 28) -> [[UInt8]]? {
        guard let library, size > 1 else { return [bytes] }
        let counts = allgather(Self.bytes(of: Int64(bytes.count))).map { Int(Self.int64(from: $0)) }
        let perRound = min(round, Int(Int32.max) / size)
        var pieces = rank == 0 ? counts.map { [UInt8]().reserved($0) } : []
        var offset = 0
        while offset < counts.max()! {
            let sizes = counts.map { Int32(min(perRound, max(0, $0 - offset))) }
            var displacements: [Int32] = [], total: Int32 = 0
            for size in sizes { displacements.append(total); total += size }
            let mine = Array(bytes[min(offset, bytes.count)..<min(offset + Int(sizes[rank]), bytes.count)])
            var received = [UInt8](repeating: 0, count: rank == 0 ? Int(total) : 0)
            mine.withUnsafeBytes { send in
                received.withUnsafeMutableBytes { receive in
                    check(library.gatherv(send.baseAddress, sizes[rank], library.byte, receive.baseAddress, sizes, displacements,
                                          library.byte, 0, library.commWorld), "MPI_Gatherv")
                }
            }
            if rank == 0 {
                for source in 0..<size {
                    let start = Int(displacements[source])
                    pieces[source].append(contentsOf: received[start..<(start + Int(sizes[source]))])
                }
            }
            offset += perRound
        }
        return rank == 0 ? pieces : nil
    }

    /// The largest of the ranks' values.
    public func maximum(_ value: Int64) -> Int64 {
        guard let library, size > 1 else { return value }
        var input = value, output: Int64 = 0
        check(library.allreduce(&input, &output, 1, library.int64, library.max, library.commWorld), "MPI_Allreduce")
        return output
    }

    /// Replaces `values` by their sum over the ranks (`values.count` equal on every rank).
    /// Integer sums are exact, so the result is the same bits whatever the rank count: each
    /// rank sums one block of every rank's values in rank order (reduce-scatter by
    /// MPI_Alltoall), then the blocks are gathered (MPI_Allgather).
    public func sumInPlace(_ values: UnsafeMutableBufferPointer<Int128>) {
        guard let library, size > 1, values.count > 0 else { return }
        // Rounds of at most `roundValues` values (16 MiB): the three buffers of a round stay
        // small beside the sums themselves (r50-fpn's are 800 MB), and no count passed to MPI
        // can exceed Int32.
        let stride = 16, roundValues = 1 << 20, maximumBlock = max(1, roundValues / size)
        var start = 0
        while start < values.count {
            let count = min(values.count - start, maximumBlock * size)
            let block = (count + size - 1) / size
            var send = [Int128](repeating: 0, count: block * size)
            for index in 0..<count { send[index] = values[start + index] }
            var received = [Int128](repeating: 0, count: block * size)
            send.withUnsafeBytes { out in
                received.withUnsafeMutableBytes { into in
                    check(library.alltoall(out.baseAddress, Int32(block * stride), library.byte, into.baseAddress,
                                           Int32(block * stride), library.byte, library.commWorld), "MPI_Alltoall")
                }
            }
            var mine = [Int128](repeating: 0, count: block)
            for source in 0..<size {
                for index in 0..<block { mine[index] &+= received[source * block + index] }
            }
            var all = [Int128](repeating: 0, count: block * size)
            mine.withUnsafeBytes { out in
                all.withUnsafeMutableBytes { into in
                    check(library.allgather(out.baseAddress, Int32(block * stride), library.byte, into.baseAddress,
                                            Int32(block * stride), library.byte, library.commWorld), "MPI_Allgather")
                }
            }
            for index in 0..<count { values[start + index] = all[index] }
            start += count
        }
    }

    /// An MPI call that returns an error (the default handler aborts before that) ends the job.
    private func check(_ code: Int32, _ call: String) {
        guard code != 0, let library else { return }
        StandardStreams.writeError("rank \(rank): \(call) failed with MPI error \(code); ending the job\n")
        _ = library.abort(library.commWorld, 70)
        exit(70)
    }

    /// Marks that every rank agreed to stop (the fit loop's agreed stop): an exit with 130 or
    /// 143 then finalises MPI; an interruption the ranks did not agree on aborts the job
    /// (another rank may be waiting in a collective).
    public static func markAgreedStop() { agreedStop.withLock { $0 = true } }

    private static let agreedStop = Mutex<Bool>(false)

    static func bytes(of value: Int64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    static func int64(from bytes: [UInt8]) -> Int64 {
        Int64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
    }
}

extension Array where Element == UInt8 {
    fileprivate func reserved(_ capacity: Int) -> [UInt8] {
        var copy = self
        copy.reserveCapacity(capacity)
        return copy
    }
}
