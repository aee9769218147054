// swift-tools-version:5.10
// The LOCE tool chain: four command-line tools over one layered library.
//
// `Sources/Shared` is one library split into one target per layer (docs/architecture.md), so
// the compiler enforces that a layer only uses the layers before it:
//   Support < Tensor < NN < Data < Masks < Eval < Detection < LongTail
import Foundation
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

func layer(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .target(name: "Shared\(name)", dependencies: dependencies, path: "Sources/Shared/\(name)",
            exclude: readmes(in: "Sources/Shared/\(name)"),
            swiftSettings: uncheckedLayers.contains(name) ? [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))] : [])
}

/// The layers whose release build drops preconditions and overflow checks (`-Ounchecked`): the
/// kernels, where `make bench-ops`/`bench-train` show it pays (docs/benchmarks.md, "-Ounchecked:
/// where it pays").
/// Everywhere else a violated precondition stops the program with its message.
let uncheckedLayers: Set<String> = ["Tensor", "NN"]

/// The README.md files under `folder` (API notes beside the code, not sources).
func readmes(in folder: String) -> [String] {
    let root = Context.packageDirectory + "/" + folder
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    return walker.compactMap { $0 as? String }.filter { $0.hasSuffix("README.md") }
}

/// A test target; its `Fixtures/` folder (reference data read via #filePath) is not a source.
func tests(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    let fixtures = FileManager.default.fileExists(atPath: Context.packageDirectory + "/Tests/\(name)/Fixtures")
    return .testTarget(name: name, dependencies: dependencies, exclude: (fixtures ? ["Fixtures"] : []) + readmes(in: "Tests/\(name)"))
}

let package = Package(
    name: "loce",
    products: [
        .executable(name: "lvis-prep", targets: ["lvis-prep"]),
        .executable(name: "detect-train", targets: ["detect-train"]),
        .executable(name: "loce-finetune", targets: ["loce-finetune"]),
        .executable(name: "detect-eval", targets: ["detect-eval"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CNative", path: "Sources/CNative"),
        // setjmp-guarded libjpeg/libpng calls (Swift cannot longjmp); used by SharedData/Image.
        .target(name: "CImageCodecs", path: "Sources/CImageCodecs",
                linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16"), .linkedLibrary("z")]),
        // AVX-512 and AVX2 kernels chosen at run time (the Swift code targets baseline x86-64);
        // used by Tensor and NN, and by Support for the CPU check (`VectorISA`). Optimised in
        // debug builds too (the tests run them), never with contracted multiply-adds (FMA):
        // every kernel must give the bits of its Swift twin.
        .target(name: "CKernels", path: "Sources/CKernels",
                cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]),

        layer("Support", [argumentParser, "CNative", "CKernels"]),
        layer("Tensor", ["SharedSupport", "CKernels"]),
        layer("NN", ["SharedSupport", "SharedTensor", "CKernels"]),
        layer("Data", ["SharedSupport", "CNative", "CImageCodecs"]),
        layer("Masks", ["SharedSupport", "SharedData"]),
        layer("Eval", ["SharedSupport", "SharedData", "SharedMasks", "CNative"]),
        layer("Detection", ["SharedSupport", "SharedTensor", "SharedNN", "SharedData", "SharedMasks"]),
        layer("LongTail", ["SharedSupport", "SharedTensor", "SharedNN", "SharedData", "SharedEval", "SharedDetection"]),

        .executableTarget(name: "lvis-prep", dependencies: ["SharedSupport", "SharedData", "SharedMasks", argumentParser]),
        .executableTarget(name: "detect-train", dependencies: ["SharedSupport", "SharedTensor", "SharedNN", "SharedData", "SharedMasks", "SharedEval", "SharedDetection", "SharedLongTail", argumentParser]),
        .executableTarget(name: "loce-finetune", dependencies: ["SharedSupport", "SharedTensor", "SharedNN", "SharedData", "SharedDetection", "SharedLongTail", argumentParser]),
        .executableTarget(name: "detect-eval", dependencies: ["SharedSupport", "SharedData", "SharedMasks", "SharedEval", argumentParser]),

        // Benchmarks (release builds, `make bench-*`).
        .executableTarget(name: "bench-gemm", dependencies: ["SharedSupport", "SharedTensor", argumentParser], path: "Sources/bench-gemm"),
        .executableTarget(name: "bench-prep", dependencies: ["SharedSupport", "SharedData"], path: "bench/prep"),
        .executableTarget(name: "bench-ops", dependencies: ["SharedSupport", "SharedTensor", "SharedNN", argumentParser], path: "Sources/bench-ops"),
        .executableTarget(name: "bench-json", dependencies: ["SharedSupport", "SharedData", "SharedMasks", argumentParser], path: "Sources/bench-json"),

        // Fuzzing (docs/robustness.md): the targets, shared by the harness and the corpus replay test;
        // `make fuzz` builds loce-fuzz with -sanitize=fuzzer,address -DLOCE_LIBFUZZER, a plain build is its replay tool.
        .target(name: "FuzzTargets", dependencies: ["SharedSupport", "SharedNN", "SharedData", "SharedMasks", "SharedEval", "SharedDetection",
                                                    "SharedLongTail"],
                path: "Sources/FuzzTargets"),
        .executableTarget(name: "loce-fuzz", dependencies: ["FuzzTargets", "SharedSupport", argumentParser], path: "Sources/loce-fuzz"),

        // Test fixtures shared by several test targets (a tiny shard folder).
        .target(name: "TestFixtures", dependencies: ["SharedSupport", "SharedData"], path: "Tests/TestFixtures"),
        // Awkward float inputs (signed zeros, NaN, infinities) for the kernel parity tests.
        .target(name: "TestValues", dependencies: ["SharedSupport"], path: "Tests/TestValues"),
        // The one finite-difference gradient checker every gradient test uses (measured noise bound).
        .target(name: "GradientChecking", dependencies: ["SharedSupport", "SharedTensor"], path: "Tests/GradientChecking",
                exclude: ["README.md"]),

        // Tests: one target per layer (or per area of a layer), so each builds alone.
        tests("SupportTests", ["SharedSupport"]),
        tests("GradientCheckingTests", ["SharedSupport", "SharedTensor", "GradientChecking"]),
        tests("TensorTests", ["SharedSupport", "SharedTensor", "TestValues"]),
        tests("NNTests", ["SharedSupport", "SharedTensor", "SharedNN", "TestValues", "GradientChecking"]),
        tests("NNTrainingTests", ["SharedSupport", "SharedTensor", "SharedNN", "GradientChecking"]),
        tests("SchemaTests", ["SharedSupport", "SharedData"]),
        tests("DataTests", ["SharedSupport", "SharedData"]),
        tests("MasksTests", ["SharedSupport", "SharedData", "SharedMasks"]),
        tests("EvalTests", ["SharedSupport", "SharedData", "SharedMasks", "SharedEval"]),
        tests("DetectionTests", ["SharedSupport", "SharedTensor", "SharedNN", "SharedData", "SharedMasks", "SharedEval", "SharedDetection",
                                 "TestFixtures", "TestValues", "GradientChecking"]),
        tests("LongTailTests", ["SharedSupport", "SharedTensor", "SharedNN", "SharedData", "SharedDetection", "SharedLongTail", "TestFixtures",
                                 "GradientChecking"]),
        // The tools, run as binaries; SharedData for its codecs (the photos and pictures the tests compare).
        tests("EndToEndTests", ["lvis-prep", "detect-train", "loce-finetune", "detect-eval", "SharedData"]),
        tests("FuzzRegressionTests", ["FuzzTargets"]),
    ]
)
