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

struct Measurement: Codable {
    let kernel: String
    let gflops: [Double]
}

struct BenchGemm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-gemm",
        abstract: "sgemm GFLOP/s on the tiny preset's conv shapes, ours vs OPENBLAS_CORETYPE=SkylakeX.",
        version: ToolVersion.number,
        subcommands: [Compare.self, Measure.self],
        defaultSubcommand: Compare.self)
}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "Run the comparison (default).")

    @Option(help: "Alternating rounds per configuration; the best round counts.")
    var rounds = 3
    @Option(help: "Seconds of repeated calls per shape and round.")
    var seconds = 0.3
    @Option(help: "Threads for BLAS (default: all cores).")
    var threads: Int?

    func run() throws {
        let threads = self.threads ?? availableCores()
        var ours = [Double](repeating: 0, count: tinyShapes.count)
        var best = ours
        var library = ours
        var kernels = ("", "", "")
        for _ in 0..<rounds {
            let a = try child(coreType: nil, threads: threads, libraryChoice: false)
            let b = try child(coreType: "SkylakeX", threads: threads, libraryChoice: false)
            let c = try child(coreType: nil, threads: threads, libraryChoice: true)
            kernels = (a.kernel, b.kernel, c.kernel)
            for i in tinyShapes.indices {
                ours[i] = max(ours[i], a.gflops[i])
                best[i] = max(best[i], b.gflops[i])
                library[i] = max(library[i], c.gflops[i])
            }
        }
        let output = StandardOutput()
        for (i, shape) in tinyShapes.enumerated() {
            let line: [String: Any] = [
                "bench": "gemm", "case": "\(shape.name) [\(shape.m)x\(shape.n)x\(shape.k)]",
                "metric": "GFLOP/s", "ours": round2(ours[i]), "reference": round2(best[i]),
                "ratio": round3(ours[i] / best[i]), "kernel": kernels.0,
                "reference_kernel": kernels.1, "openblas_default": round2(library[i]),
                "openblas_default_kernel": kernels.2, "threads": threads,
            ]
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
            output.write(String(decoding: data, as: UTF8.self) + "\n")
        }
        output.flush()
    }

    func child(coreType: String?, threads: Int, libraryChoice: Bool) throws -> Measurement {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var arguments = ["measure", "--seconds", String(seconds), "--threads", String(threads)]
        if libraryChoice { arguments.append("--library-kernel-choice") }
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = coreType
        environment["OPENBLAS_NUM_THREADS"] = String(threads)
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolError("benchmark child failed with status \(process.terminationStatus)")
        }
        return try JSONDecoder().decode(Measurement.self, from: data)
    }

    func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
    func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}

struct Measure: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "measure", abstract: "Measure every shape once, in this process's kernel (JSON).")

    @Option var seconds = 0.3
    @Option var threads: Int?
    @Flag(help: "Leave an unset OPENBLAS_CORETYPE to OpenBLAS's own CPU detection.")
    var libraryKernelChoice = false

    func run() throws {
        if libraryKernelChoice { BLASRuntime.choosesKernelFromCPUFeatures = false }
        let gemm = try GEMM.load()
        gemm.runtime.setThreads(threads ?? availableCores())
        var random = SeededRandom(seed: 1)
        var results: [Double] = []
        for shape in tinyShapes {
            let a = (0..<(shape.m * shape.k)).map { _ in random.nextFloat() - 0.5 }
            let b = (0..<(shape.k * shape.n)).map { _ in random.nextFloat() - 0.5 }
            var c = [Float](repeating: 0, count: shape.m * shape.n)
            gemm.multiply(m: shape.m, n: shape.n, k: shape.k, a: a, b: b, c: &c)  // warm-up
            var calls = 0
            let watch = Stopwatch()
            repeat {
                gemm.multiply(m: shape.m, n: shape.n, k: shape.k, a: a, b: b, c: &c)
                calls += 1
            } while watch.elapsed < seconds
            results.append(shape.flops * Double(calls) / watch.elapsed / 1e9)
        }
        let data = try JSONEncoder().encode(Measurement(kernel: gemm.runtime.coreName, gflops: results))
        print(String(decoding: data, as: UTF8.self))
    }
}

ToolMain.run(BenchGemm.self, tool: "bench-gemm")
