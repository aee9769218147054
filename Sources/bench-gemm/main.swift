// bench-gemm: sgemm GFLOP/s for the `tiny` preset's convolutions as im2col GEMMs and 1024³,
// through our GEMM wrapper in the default invocation, next to OpenBLAS forced to its
// SkylakeX kernels (the best on AVX-512 CPUs), measured in the same run.
//
// The kernel is fixed per process, so the parent runs children in alternation:
// `bench-gemm measure` in the default environment (our automatic choice) and with
// OPENBLAS_CORETYPE=SkylakeX; and once with OpenBLAS's own detection, for context.
import ArgumentParser
import Foundation
import SharedSupport
import SharedTensor

struct Shape: Codable {
    let name: String
    let m: Int, n: Int, k: Int
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

/// The `tiny` preset at 256x256, batch 2 (N covers both images), as im2col GEMMs
/// M = output channels, N = output pixels, K = input channels x kernel area.
let tinyShapes: [Shape] = [
    Shape(name: "stem 7x7/2 3->32 @128", m: 32, n: 2 * 128 * 128, k: 3 * 49),
    Shape(name: "res1 3x3 32->32 @64", m: 32, n: 2 * 64 * 64, k: 32 * 9),
    Shape(name: "res2 3x3/2 32->64 @32", m: 64, n: 2 * 32 * 32, k: 32 * 9),
    Shape(name: "res2 3x3 64->64 @32", m: 64, n: 2 * 32 * 32, k: 64 * 9),
    Shape(name: "res3 3x3 128->128 @16", m: 128, n: 2 * 16 * 16, k: 128 * 9),
    Shape(name: "res4 3x3 256->256 @8", m: 256, n: 2 * 8 * 8, k: 256 * 9),
    Shape(name: "fpn 3x3 64->64 @64", m: 64, n: 2 * 64 * 64, k: 64 * 9),
    Shape(name: "mask 3x3 64->64 64RoIs@14", m: 64, n: 64 * 14 * 14, k: 64 * 9),
    Shape(name: "box fc 256RoIs 3136->256", m: 256, n: 256, k: 64 * 49),
    Shape(name: "1024^3", m: 1024, n: 1024, k: 1024),
]

struct BenchGemm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-gemm",
        abstract: "sgemm GFLOP/s on the tiny preset's conv shapes, ours vs OPENBLAS_CORETYPE=SkylakeX.",
        discussion: """
        Example:
          bench-gemm --rounds 5
        Prints one JSON line per shape. The machine is shared and noisy, so every shape is
        measured in short bursts alternating between the configurations, and the best
        burst of each counts.
        """,
        version: ToolVersion.number,
        subcommands: [Compare.self, Serve.self],
        defaultSubcommand: Compare.self)
}

/// One configuration under test, served by a long-lived child process (the BLAS kernel
/// is fixed per process).
final class MeasuringChild {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    private var pending = Data()

    init(coreType: String?, threads: Int, libraryChoice: Bool) throws {
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var arguments = ["serve", "--threads", String(threads)]
        if libraryChoice { arguments.append("--library-kernel-choice") }
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = coreType
        environment["OPENBLAS_NUM_THREADS"] = String(threads)
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        kernelName = try readLine()
    }

    private(set) var kernelName = ""

    /// GFLOP/s of the best of the calls made within `seconds` on shape `index`.
    func measure(_ index: Int, seconds: Double) throws -> Double {
        input.fileHandleForWriting.write("\(index) \(seconds)\n".data(using: .utf8)!)
        guard let value = Double(try readLine()) else { throw ToolError("benchmark child sent garbage") }
        return value
    }

    func close() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    private func readLine() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending = Data(pending[(newline + 1)...])
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw ToolError("benchmark child exited early") }
            pending.append(chunk)
        }
    }
}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "Run the comparison (default).")

    @Option(help: "Alternating bursts per shape and configuration; the best burst counts.")
    var rounds = 9
    @Option(help: "Seconds of repeated calls per burst.")
    var seconds = 0.1
    @Option(help: "Threads for BLAS (default: all cores).")
    var threads: Int?

    func run() throws {
        let threads = self.threads ?? availableCores()
        // ours: the default invocation (our automatic kernel choice); reference: SkylakeX
        // forced; library: OpenBLAS's own detection, what plain linking would give.
        let ours = try MeasuringChild(coreType: nil, threads: threads, libraryChoice: false)
        let reference = try MeasuringChild(coreType: "SkylakeX", threads: threads, libraryChoice: false)
        let library = try MeasuringChild(coreType: nil, threads: threads, libraryChoice: true)
        defer { [ours, reference, library].forEach { $0.close() } }
        let output = StandardOutput()
        for (index, shape) in tinyShapes.enumerated() {
            var best = [0.0, 0.0, 0.0]
            for round in 0..<rounds {
                // Alternate the order so slow drifts of the machine hit everyone alike.
                let order = round % 2 == 0 ? [0, 1, 2] : [2, 1, 0]
                for which in order {
                    let child = [ours, reference, library][which]
                    best[which] = max(best[which], try child.measure(index, seconds: seconds))
                }
            }
            let line: [String: Any] = [
                "bench": "gemm", "case": "\(shape.name) [\(shape.m)x\(shape.n)x\(shape.k)]",
                "metric": "GFLOP/s", "ours": round2(best[0]), "reference": round2(best[1]),
                "ratio": round3(best[0] / best[1]), "kernel": ours.kernelName,
                "reference_kernel": reference.kernelName, "openblas_default": round2(best[2]),
                "openblas_default_kernel": library.kernelName, "threads": threads,
            ]
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
            output.write(String(decoding: data, as: UTF8.self) + "\n")
            output.flush()
        }
    }

    func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
    func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Child mode: print the kernel, then answer lines \"SHAPE SECONDS\" with GFLOP/s.")

    @Option var threads: Int?
    @Flag(help: "Leave an unset OPENBLAS_CORETYPE to OpenBLAS's own CPU detection.")
    var libraryKernelChoice = false

    func run() throws {
        if libraryKernelChoice { BLASRuntime.choosesKernelFromCPUFeatures = false }
        let gemm = try GEMM.load()
        gemm.runtime.setThreads(threads ?? availableCores())
        var random = SeededRandom(seed: 1)
        let operands = tinyShapes.map { shape -> ([Float], [Float]) in
            ((0..<(shape.m * shape.k)).map { _ in random.nextFloat() - 0.5 },
             (0..<(shape.k * shape.n)).map { _ in random.nextFloat() - 0.5 })
        }
        print(gemm.runtime.coreName)
        fflush(stdout)
        while let line = readLine() {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let index = Int(parts[0]), tinyShapes.indices.contains(index),
                  let seconds = Double(parts[1]) else { throw ToolError("bad request: \(line)") }
            let shape = tinyShapes[index]
            let (a, b) = operands[index]
            var c = [Float](repeating: 0, count: shape.m * shape.n)
            gemm.multiply(m: shape.m, n: shape.n, k: shape.k, a: a, b: b, c: &c)  // warm-up
            var best = 0.0
            let burst = Stopwatch()
            repeat {
                let call = Stopwatch()
                gemm.multiply(m: shape.m, n: shape.n, k: shape.k, a: a, b: b, c: &c)
                best = max(best, shape.flops / call.elapsed / 1e9)
            } while burst.elapsed < seconds
            print(best)
            fflush(stdout)
        }
    }
}

ToolMain.run(BenchGemm.self, tool: "bench-gemm")
