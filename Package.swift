// swift-tools-version:5.10
// The LOCE tool chain: four command-line tools over one layered library.
//
// `Sources/Shared` is one library split into one target per layer (DESIGN.md), so the
// compiler enforces that a layer only uses the layers before it:
//   Support < Tensor < NN < Data < Masks < Eval < Detection < LongTail
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

func layer(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .target(name: "Shared\(name)", dependencies: dependencies, path: "Sources/Shared/\(name)",
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))])
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

        layer("Support", [argumentParser]),
        layer("Tensor", ["SharedSupport"]),
        layer("NN", ["SharedSupport", "SharedTensor"]),
        layer("Data", ["SharedSupport", "CNative", "CImageCodecs"]),
        layer("Masks", ["SharedSupport", "SharedData"]),
        layer("Eval", ["SharedSupport", "SharedData", "SharedMasks", "CNative"]),
        layer("Detection", ["SharedSupport", "SharedTensor", "SharedNN", "SharedData", "SharedMasks", "SharedEval"]),
        layer("LongTail", ["SharedSupport", "SharedTensor", "SharedNN", "SharedData", "SharedDetection"]),

        .executableTarget(name: "lvis-prep", dependencies: ["SharedSupport", "SharedData", "SharedMasks", argumentParser]),
        .executableTarget(name: "detect-train", dependencies: ["SharedSupport", "SharedTensor", "SharedNN", "SharedData", "SharedDetection", argumentParser]),
        .executableTarget(name: "loce-finetune", dependencies: ["SharedSupport", "SharedTensor", "SharedNN", "SharedData", "SharedDetection", "SharedLongTail", argumentParser]),
        .executableTarget(name: "detect-eval", dependencies: ["SharedSupport", "SharedData", "SharedMasks", "SharedEval", argumentParser]),

        // Benchmarks (release builds, `make bench-*`).
        .executableTarget(name: "bench-gemm", dependencies: ["SharedSupport", "SharedTensor", argumentParser], path: "Sources/bench-gemm"),
        .executableTarget(name: "bench-prep", dependencies: ["SharedSupport", "SharedData"], path: "bench/prep"),
        .executableTarget(name: "bench-ops", dependencies: ["SharedSupport", "SharedTensor", "SharedNN", argumentParser], path: "Sources/bench-ops"),

        // Tests: one target per layer (or per area of a layer), so each builds alone.
        .testTarget(name: "SupportTests", dependencies: ["SharedSupport"]),
        .testTarget(name: "TensorTests", dependencies: ["SharedSupport", "SharedTensor"]),
        .testTarget(name: "NNTests", dependencies: ["SharedSupport", "SharedTensor", "SharedNN"]),
        .testTarget(name: "NNTrainingTests", dependencies: ["SharedSupport", "SharedTensor", "SharedNN"]),
        .testTarget(name: "SchemaTests", dependencies: ["SharedSupport", "SharedData"]),
        .testTarget(name: "DataTests", dependencies: ["SharedSupport", "SharedData"]),
        .testTarget(name: "MasksTests", dependencies: ["SharedSupport", "SharedData", "SharedMasks"]),
        .testTarget(name: "EvalTests", dependencies: ["SharedSupport", "SharedData", "SharedMasks", "SharedEval"]),
        .testTarget(name: "DetectionTests", dependencies: ["SharedSupport", "SharedTensor", "SharedNN", "SharedData", "SharedMasks", "SharedDetection"]),
        .testTarget(name: "LongTailTests", dependencies: ["SharedSupport", "SharedTensor", "SharedNN", "SharedData", "SharedDetection", "SharedLongTail"]),
        .testTarget(name: "EndToEndTests", dependencies: ["lvis-prep", "detect-train", "loce-finetune", "detect-eval"]),
    ]
)
