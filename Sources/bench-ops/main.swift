// bench-ops: the engine's layers on the `tiny` preset's shapes (256x256, batch 2).
// `layers` (default): convolutions as GFLOP/s against the sgemm peak (1024^3, measured in
// the same run), memory-bound layers as GB/s against memcpy bandwidth (measured in the
// same run); one JSON line per case, `ratio` > 1 is better, with the vector code path
// (`isa`, LOCE_ISA lowers it) and the OpenBLAS kernel (`blas_kernel`) it ran on.
// `roi-align`: the RoIAlign benchmark case (NN/RoIAlign's `RoIAlignBenchmark`) as JSON
// lines, the command that `scripts/fixtures/make_training_fixtures.py --bench-roi-align
// --swift-bench CMD` alternates with torchvision's roi_align to measure the speed-up.
import ArgumentParser
import SharedSupport
@_spi(Kernels) import SharedTensor
import SharedNN

struct BenchOps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-ops",
        abstract: "Layer throughput on the tiny preset's shapes vs sgemm peak and memcpy bandwidth.",
        discussion: "Example: bench-ops layers --threads 2 --seconds 0.2",
        version: ToolVersion.number,
        subcommands: [Layers.self, RoIAlignCase.self],
        defaultSubcommand: Layers.self)
}

struct Layers: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "layers", abstract: "Convolutions and memory-bound layers (default).")

    @Option(help: "Threads for our loops and BLAS (default: all cores).")
    var threads: Int?
    @Option(help: "Seconds of repeated calls per case, reference and round (5 rounds, the median counts).")
    var seconds = 0.04
    @Option(help: "Only cases whose name contains this text.")
    var filter: String?

    func run() throws {
        let threads = self.threads ?? availableCores()
        let compute = try Compute.load(threads: threads)
        let report = Report(facts: RunFacts(isa: VectorISA.active, blasKernel: compute.gemm.runtime.coreName))
        Logger(tool: "bench-ops").info("\(threads) threads, BLAS \(compute.gemm.runtime.summary)")
        let selected = { (name: String) in filter.map { name.contains($0) } ?? true }
        benchConvolutions(compute: compute, seconds: seconds, report: report, selected: selected)
        benchMemoryBound(compute: compute, seconds: seconds, report: report, selected: selected)
    }
}

struct RoIAlignCase: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roi-align", abstract: "RoIAlign forward+backward, 256 RoIs x 64 channels, 7x7 and 14x14 (JSON lines).")

    @Option(help: "Threads (default: all cores).")
    var threads: Int?
    @Option(help: "Rounds per case; the best counts.")
    var rounds = 20

    func run() throws {
        let parallelism = Parallelism(threads: threads ?? availableCores())
        let facts = RunFacts(isa: VectorISA.active, blasKernel: try BLASRuntime.shared.coreName)
        let output = StandardOutput()
        for result in RoIAlignBenchmark.run(rounds: rounds, parallelism: parallelism) {
            output.write(facts.appended(to: result.json) + "\n")
        }
        output.flush()
    }
}

ToolMain.run(BenchOps.self, tool: "bench-ops")
