// Which launcher started a process, from the variables each sets; one rank or LOCE_MPI=off is
// a single process; the default thread count shares a machine's cores among its ranks.
import XCTest
@testable import SharedSupport

final class LaunchEnvironmentTests: XCTestCase {
    private func detect(_ variables: [String: String]) -> LaunchEnvironment? {
        LaunchEnvironment.detect { variables[$0] }
    }

    func testLaunchers() {
        XCTAssertNil(detect([:]))
        XCTAssertEqual(detect(["OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_LOCAL_SIZE": "2"]),
                       LaunchEnvironment(launcher: .openMPI, size: 4, localSize: 2))
        XCTAssertEqual(detect(["PMI_SIZE": "8", "MPI_LOCALNRANKS": "4"]), LaunchEnvironment(launcher: .pmi, size: 8, localSize: 4))
        XCTAssertEqual(detect(["PMIX_RANK": "0", "SLURM_NTASKS_PER_NODE": "2"]), LaunchEnvironment(launcher: .pmix, size: nil, localSize: 2))
        XCTAssertNil(detect(["OMPI_COMM_WORLD_SIZE": "1"]), "mpirun -np 1 is one process")
        XCTAssertNil(detect(["OMPI_COMM_WORLD_SIZE": "4", "LOCE_MPI": "off"]))
        XCTAssertNil(detect(["SLURM_PROCID": "0", "SLURM_NTASKS": "4"]), "a Slurm batch step without srun's PMI is no MPI job")
    }

    func testThisProcessIsSingle() throws {
        // The test runner is not started by a launcher: one process, MPI never loaded.
        XCTAssertNil(LaunchEnvironment.detect())
        let group = try ProcessGroup.current
        XCTAssertEqual(group.size, 1)
        XCTAssertEqual(group.rank, 0)
        XCTAssertEqual(group.summary, "single process")
        XCTAssertEqual(group.allgather([1, 2, 3]), [[1, 2, 3]])
        XCTAssertEqual(group.gatherToRoot([4, 5]), [[4, 5]])
        XCTAssertEqual(group.maximum(-3), -3)
        XCTAssertNil(ProcessGroup.joined)
        try RankAgreement.require([("config", "a")], in: group)
    }
}
