// How this process was started: by an MPI launcher (recognised by the variables each one
// sets for its processes) or on its own. Nothing here loads MPI.
//   Open MPI's mpirun/mpiexec: OMPI_COMM_WORLD_SIZE, OMPI_COMM_WORLD_LOCAL_SIZE
//   MPICH's Hydra, srun --mpi=pmi2: PMI_SIZE (MPI_LOCALNRANKS under Hydra)
//   srun --mpi=pmix, PRRTE: PMIX_RANK
// LOCE_MPI=off runs single-process even under a launcher.

public struct LaunchEnvironment: Sendable, Equatable {
    public enum Launcher: String, Sendable { case openMPI = "Open MPI", pmi = "PMI", pmix = "PMIx" }

    public let launcher: Launcher
    /// Ranks the launcher said the job has, when it says (PMIx does not).
    public let size: Int?
    /// Ranks on this machine, when the launcher says.
    public let localSize: Int?

    /// The launcher that started this process, or nil when none did, when it started one
    /// rank only, or with LOCE_MPI=off.
    public static func detect(_ environment: (String) -> String? = ProcessInfoLite.environment) -> LaunchEnvironment? {
        if let off = environment("LOCE_MPI"), off == "off" || off == "0" { return nil }
        func number(_ name: String) -> Int? { environment(name).flatMap { Int($0) } }
        let found: LaunchEnvironment
        if let size = number("OMPI_COMM_WORLD_SIZE") {
            found = LaunchEnvironment(launcher: .openMPI, size: size, localSize: number("OMPI_COMM_WORLD_LOCAL_SIZE"))
        } else if let size = number("PMI_SIZE") {
            found = LaunchEnvironment(launcher: .pmi, size: size, localSize: number("MPI_LOCALNRANKS"))
        } else if environment("PMIX_RANK") != nil {
            found = LaunchEnvironment(launcher: .pmix, size: nil, localSize: number("SLURM_NTASKS_PER_NODE"))
        } else {
            return nil
        }
        return found.size == 1 ? nil : found
    }

    /// The default `--threads` of each rank: the machine's cores shared by its ranks.
    public static func defaultThreads(cores: Int = availableCores()) -> Int {
        guard let local = detect()?.localSize, local > 1 else { return cores }
        return max(1, cores / local)
    }
}
