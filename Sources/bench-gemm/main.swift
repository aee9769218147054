// bench-gemm: sgemm GFLOP/s for the `tiny` preset's convolutions as im2col GEMMs and 1024³:
// our tools' GEMM (the kernel they choose for this CPU, OpenBLAS single-threaded, products
// tiled over --threads) against the fastest OpenBLAS kernel this CPU can run, measured in
// the same run: every kernel the CPU can execute is tried, each called plainly with
// OpenBLAS's own threads, and the best per shape is the reference.
//
// The kernel is fixed per process, so the parent runs one long-lived child per
// configuration (`bench-gemm serve`) and measures them in alternating short bursts.
import ArgumentParser
import Foundation
import SharedSupport
@_spi(Kernels) import SharedTensor

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
        abstract: "sgemm GFLOP/s on the tiny preset's conv shapes: our tools' GEMM vs the fastest OpenBLAS kernel of this CPU.",
        discussion: """
        Example:
          bench-gemm --rounds 5
          bench-gemm kernels      # the OpenBLAS kernels this CPU runs, one per line
        Prints one JSON line per shape. The machine is shared and noisy, so every shape is
        measured in short bursts alternating between the configurations, and the best
        burst of each counts.
        """,
        version: ToolVersion.number,
        subcommands: [Compare.self, Kernels.self, Serve.self],
        defaultSubcommand: Compare.self)
}

/// One configuration under test, served by a long-lived child process (the BLAS kernel
/// is fixed per process).
final class MeasuringChild {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    private var pending = Data()

    /// `plain`: one OpenBLAS call per product on OpenBLAS's own `threads` threads; else the
    /// tools' path (`Compute.load(threads:)`: OpenBLAS single-threaded, tiles over `threads`).
    init(coreType: String?, threads: Int, plain: Bool) throws {
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var arguments = ["serve", "--threads", String(threads)]
        if plain { arguments.append("--plain") }
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

    /// Ends the child without waiting for it to finish its set-up.
    func stop() {
        process.terminate()
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
    @Option(help: "Threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        if rounds < 1 || rounds > 1000 { throw ValidationError("--rounds must be in 1...1000 (got \(rounds))") }
        if !(seconds > 0 && seconds <= 60) { throw ValidationError("--seconds must be in (0, 60] (got \(seconds))") }
        if let threads, threads < 1 || threads > 1024 { throw ValidationError("--threads must be in 1...1024 (got \(threads))") }
    }

    func run() throws {
        let threads = self.threads ?? availableCores()
        // ours: the tools' default (their kernel choice, their tiling); references: every
        // kernel this CPU runs, forced, each called plainly.
        let ours = try MeasuringChild(coreType: nil, threads: threads, plain: false)
        let references = try runnableKernels().map { try MeasuringChild(coreType: $0, threads: threads, plain: true) }
        let children = [ours] + references
        defer { children.forEach { $0.close() } }
        let cpu = CPUFeatures.current()
        let output = StandardOutput()
        for (index, shape) in tinyShapes.enumerated() {
            var best = [Double](repeating: 0, count: children.count)
            for round in 0..<rounds {
                // Alternate the order so slow drifts of the machine hit everyone alike.
                let order = round % 2 == 0 ? Array(children.indices) : children.indices.reversed()
                for which in order {
                    best[which] = max(best[which], try children[which].measure(index, seconds: seconds))
                }
            }
            let fastest = references.indices.max { best[$0 + 1] < best[$1 + 1] }!
            var line: [String: Any] = [
                "bench": "gemm", "case": "\(shape.name) [\(shape.m)x\(shape.n)x\(shape.k)]",
                "metric": "GFLOP/s", "ours": round2(best[0]), "reference": round2(best[fastest + 1]),
                "ratio": round3(best[0] / best[fastest + 1]), "blas_kernel": ours.kernelName,
                "reference_kernel": references[fastest].kernelName, "threads": threads,
                "cpu": cpu.modelName,
            ]
            line["kernels"] = Dictionary(uniqueKeysWithValues: references.indices.map {
                (references[$0].kernelName, round2(best[$0 + 1]))
            })
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
            output.write(String(decoding: data, as: UTF8.self) + "\n")
            output.flush()
        }
    }

    func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
    func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}

/// The OpenBLAS kernels this CPU can execute (`CPUFeatures.runnableOpenBLASCoreTypes`) that
/// the installed OpenBLAS also knows: a child started with each one must report it back
/// (an unknown name silently falls back to OpenBLAS's own choice).
func runnableKernels() throws -> [String] {
    try CPUFeatures.current().runnableOpenBLASCoreTypes.filter { name in
        let child = try MeasuringChild(coreType: name, threads: 1, plain: true)
        defer { child.stop() }
        return child.kernelName.lowercased() == name.lowercased()
    }
}

struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Print the OpenBLAS kernels this CPU can run (and this OpenBLAS knows), one per line, fastest family first.")

    func run() throws {
        let output = StandardOutput()
        for name in try runnableKernels() { output.write(name + "\n") }
        output.flush()
    }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Child mode: print the kernel, then answer lines \"SHAPE SECONDS\" with GFLOP/s.")

    @Option var threads: Int?
    @Flag(help: "One OpenBLAS call per product on OpenBLAS's own threads (else the tools' tiled GEMM).")
    var plain = false

    func run() throws {
        let threads = self.threads ?? availableCores()
        let gemm: GEMM
        if plain {
            gemm = try GEMM.load()
            gemm.runtime.setThreads(threads)
        } else {
            gemm = try Compute.load(threads: threads).gemm
        }
        print(gemm.runtime.coreName)  // first, so that `kernels` learns it without waiting for the operands
        fflush(stdout)
        var random = SeededRandom(seed: 1)
        let operands = tinyShapes.map { shape -> ([Float], [Float]) in
            ((0..<(shape.m * shape.k)).map { _ in random.nextFloat() - 0.5 },
             (0..<(shape.k * shape.n)).map { _ in random.nextFloat() - 0.5 })
        }
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
