// The MPI library, opened at run time (dlopen) only when a launcher started this process,
// so every tool still runs single-process on a machine without MPI (as OpenBLAS is opened
// in `BLASRuntime`). Only MPI-standard calls on MPI_COMM_WORLD are used, through the two
// binary interfaces MPI libraries have: Open MPI's (handles are addresses of its predefined
// objects, e.g. `ompi_mpi_comm_world`) and MPICH's (handles are 32-bit constants; MPICH,
// Intel MPI, Cray MPICH, MVAPICH). A handle is passed as a pointer-sized integer either way
// (an `int` parameter reads the low 32 bits of its register on x86-64 and arm64).
#if canImport(Glibc)
import Glibc
#endif

/// The loaded MPI library and the handles and calls the tools use.
final class MPILibrary: @unchecked Sendable {
    /// Which binary interface the library has.
    enum Interface: String, Sendable { case openMPI = "Open MPI", mpich = "MPICH" }

    typealias Handle = Int
    typealias InitThread = @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?,
                                           Int32, UnsafeMutablePointer<Int32>) -> Int32
    typealias CommQuery = @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    /// MPI_Allgather / MPI_Alltoall (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm).
    typealias Exchange = @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, Int32, Handle, Handle) -> Int32
    /// MPI_Gatherv (sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, root, comm).
    typealias Gatherv = @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, UnsafePointer<Int32>?,
                                        UnsafePointer<Int32>?, Handle, Int32, Handle) -> Int32
    /// MPI_Allreduce (sendbuf, recvbuf, count, type, op, comm).
    typealias Allreduce = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) -> Int32
    typealias Finalize = @convention(c) () -> Int32
    typealias Abort = @convention(c) (Handle, Int32) -> Int32
    typealias LibraryVersion = @convention(c) (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32

    let path: String
    let interface: Interface
    let commWorld: Handle
    let byte: Handle
    let int64: Handle
    let sum: Handle
    let max: Handle
    let initThread: InitThread
    let commRank: CommQuery
    let commSize: CommQuery
    let allgather: Exchange
    let alltoall: Exchange
    let gatherv: Gatherv
    let allreduce: Allreduce
    let finalize: Finalize
    let abort: Abort
    private let libraryVersion: LibraryVersion?

    /// Opens `LOCE_MPI_LIBRARY` when set, else the usual names (Open MPI's first when an Open MPI
    /// launcher started us). Throws (exit 69) naming what was tried.
    init(preferOpenMPI: Bool) throws {
        var candidates = preferOpenMPI
            ? ["libmpi.so.40", "libmpi.so.12", "libmpi.so"]
            : ["libmpi.so.12", "libmpi.so.40", "libmpi.so"]
        if let chosen = ProcessInfoLite.environment("LOCE_MPI_LIBRARY"), !chosen.isEmpty { candidates = [chosen] }
        var opened: (UnsafeMutableRawPointer, String)?
        var lastError = "not found"
        for name in candidates {
            // RTLD_GLOBAL: Open MPI's own plugins resolve libmpi's symbols through the global scope.
            if let handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL) {
                opened = (handle, name)
                break
            }
            if let message = dlerror() { lastError = String(cString: message) }
        }
        guard let (handle, path) = opened else {
            throw ToolError("this process was started by an MPI launcher but no MPI library could be loaded (tried "
                            + "\(candidates.joined(separator: ", ")): \(lastError)",
                            hint: "install Open MPI (`scripts/install-deps.sh`: Debian's openmpi-bin and libopenmpi-dev) "
                            + "or name the library in LOCE_MPI_LIBRARY", exitCode: .unavailable)
        }
        self.path = path
        func symbol<T>(_ name: String, as type: T.Type) throws -> T {
            guard let pointer = dlsym(handle, name) else {
                throw ToolError("\(path) has no \(name): not an MPI library", hint: "name an MPI library in LOCE_MPI_LIBRARY",
                                exitCode: .unavailable)
            }
            return unsafeBitCast(pointer, to: type)
        }
        if let world = dlsym(handle, "ompi_mpi_comm_world") {
            interface = .openMPI
            func object(_ name: String) throws -> Handle {
                guard let pointer = dlsym(handle, name) else {
                    throw ToolError("\(path) lacks \(name)", exitCode: .unavailable)
                }
                return Int(bitPattern: pointer)
            }
            commWorld = Int(bitPattern: world)
            byte = try object("ompi_mpi_byte")
            int64 = try object("ompi_mpi_int64_t")
            sum = try object("ompi_mpi_op_sum")
            max = try object("ompi_mpi_op_max")
        } else {
            // mpi.h of MPICH and its derivatives.
            interface = .mpich
            commWorld = 0x4400_0000
            byte = 0x4c00_010d
            int64 = 0x4c00_083a
            sum = 0x5800_0003
            max = 0x5800_0001
        }
        initThread = try symbol("MPI_Init_thread", as: InitThread.self)
        commRank = try symbol("MPI_Comm_rank", as: CommQuery.self)
        commSize = try symbol("MPI_Comm_size", as: CommQuery.self)
        allgather = try symbol("MPI_Allgather", as: Exchange.self)
        alltoall = try symbol("MPI_Alltoall", as: Exchange.self)
        gatherv = try symbol("MPI_Gatherv", as: Gatherv.self)
        allreduce = try symbol("MPI_Allreduce", as: Allreduce.self)
        finalize = try symbol("MPI_Finalize", as: Finalize.self)
        abort = try symbol("MPI_Abort", as: Abort.self)
        libraryVersion = dlsym(handle, "MPI_Get_library_version").map { unsafeBitCast($0, to: LibraryVersion.self) }
    }

    /// For `--version`: the MPI library a launcher would use, or why there is none. Loads
    /// the library (as a launched run would) but does not initialise MPI.
    static var availability: String {
        let launch = LaunchEnvironment.detect()
        do {
            let library = try MPILibrary(preferOpenMPI: launch.map { $0.launcher == .openMPI } ?? true)
            return "\(library.versionLine) (\(library.path)); multi-rank runs under mpirun/srun"
                + (launch.map { " (started by \($0.launcher.rawValue))" } ?? "")
        } catch {
            return "not installed: single process only (scripts/install-deps.sh installs Open MPI for mpirun)"
        }
    }

    /// The library's own version line ("Open MPI v4.1.4, ..."), first line only.
    var versionLine: String {
        guard let libraryVersion else { return interface.rawValue }
        var buffer = [CChar](repeating: 0, count: 8192)
        var length: Int32 = 0
        guard libraryVersion(&buffer, &length) == 0 else { return interface.rawValue }
        let text = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // "Open MPI v4.1.4, package: ..." / "MPICH Version: 4.0.2\n...": the name and version.
        let first = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let name = first.split(separator: ",").first.map { String($0).trimmingCharacters(in: " \t") } ?? ""
        return name.isEmpty ? interface.rawValue : name
    }
}
